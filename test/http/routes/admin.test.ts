import t, { type Test as T } from 'tap'
import pino from 'pino'
import { Writable } from 'node:stream'
import { loadServeConfig } from '../../../src/config/serve-config.js'
import { Secret } from '../../../src/config/secret.js'
import { EmqxClient } from '../../../src/emqx/client.js'
import { bearerChecker } from '../../../src/http/routes/admin-auth.js'
import { buildAdminApp, buildApp } from '../../../src/http/listeners/app.js'
import { createMetrics } from '../../../src/metrics/registry.js'
import { Evacuator } from '../../../src/state/evacuator.js'
import { TestStore as Store } from '../../support/test-store.js'
import { applyCheck, initialSnapshot } from '../../../src/state/transition.js'
import { startDouble } from '../../support/emqx-double.js'

const TOKEN = 'correct-horse-battery-staple'
const auth = { authorization: `Bearer ${TOKEN}` }

async function setup (t: T, opts: { admin?: boolean, separate?: boolean, simProfile?: 'v5' | 'v5.8' | 'v4.4', flags?: string[] } = {}) {
  const sim = await startDouble(t, { profile: opts.simProfile ?? 'v5', connections: 20, timeScale: 100 })
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  const log = pino({ level: 'info' }, sink)
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin', '--poll-interval', '50ms', '--wait-health-check', '1s', '--evacuation-wait-takeover', '1s', ...(opts.flags ?? [])], { SIDECAR_EMQX_PASSWORD: 'public', SIDECAR_ADMIN_TOKEN: TOKEN })
  const client = new EmqxClient(config.emqx)
  const store = new Store(initialSnapshot(Date.now()))
  // one real check so the API and node name are known, and EMQX says up
  const r = await client.check()
  store.update((s) => ({ ...applyCheck({ ...s, ...(r.detected !== undefined ? { api: r.detected } : {}) }, { outcome: r.outcome, at: Date.now(), durationMs: r.durationMs }, 3) }))
  const evacuator = new Evacuator({ client, store, log, config: config.evacuation, pollIntervalMs: 20 })
  const metrics = createMetrics(store)
  const adminOpts = { token: new Secret(TOKEN), evacuator, prestopTimeoutMs: 60_000 }
  const app = buildApp({ store, metrics, log, ...(opts.admin === false || opts.separate === true ? {} : { admin: adminOpts }) })
  const adminApp = opts.separate === true ? buildAdminApp({ ...adminOpts, store, metrics, log }) : app
  t.teardown(async () => { evacuator.cancel(); await evacuator.settled(); await app.close(); await adminApp.close(); await client.close() })
  return { sim, store, app, adminApp, lines, metrics, evacuator }
}

t.test('the bearer check: only the exact token, in the Bearer scheme', async (t) => {
  const check = bearerChecker(new Secret(TOKEN))
  t.ok(check(`Bearer ${TOKEN}`))
  t.ok(check(`bearer ${TOKEN}`), 'scheme is case-insensitive (RFC 7235)')
  for (const bad of [undefined, '', 'Bearer', 'Bearer ', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN} extra`, `Bearer ${TOKEN.toUpperCase()}`]) {
    t.notOk(check(bad), `refused: ${JSON.stringify(bad)}`)
  }
})

t.test('without a token the admin endpoints do not exist', async (t) => {
  const { app } = await setup(t, { admin: false })
  for (const [method, url] of [['POST', '/admin/drain'], ['POST', '/admin/undrain'], ['POST', '/admin/evacuate'], ['GET', '/prestop']] as const) {
    t.equal((await app.inject({ method, url, headers: auth })).statusCode, 404, `${method} ${url}`)
  }
})

t.test('a wrong or missing token: a bare 401, logged with who and what, never the token; nothing changes', async (t) => {
  const { app, store, lines, sim } = await setup(t)
  for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }, { authorization: `Basic ${TOKEN}` }]) {
    for (const [method, url] of [['POST', '/admin/drain'], ['POST', '/admin/evacuate'], ['POST', '/admin/evacuate/stop'], ['GET', '/prestop']] as const) {
      const res = await app.inject({ method, url, headers, remoteAddress: '192.0.2.7' })
      t.equal(res.statusCode, 401, `${method} ${url} ${JSON.stringify(headers)}`)
      t.same(res.json(), { error: 'unauthorized' }, 'no detail')
      t.equal(res.headers['www-authenticate'], 'Bearer')
    }
  }
  t.equal(store.current.state, 'up', 'still up')
  t.equal(sim.evacuationRequests.length, 0, 'EMQX never called')
  const refused = lines.filter((l) => l.event === 'admin_unauthorized')
  t.equal(refused.length, 12)
  t.match(refused[0], { remote: '192.0.2.7', action: 'drain', method: 'POST', path: '/admin/drain' })
  t.notMatch(JSON.stringify(lines), /wrong-token|correct-horse/, 'no token in any log line')
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /emqx_lb_sidecar_admin_requests_total\{action="drain",result="unauthorized"\} 3/)
})

t.test('drain and undrain: availability, /status and metrics follow; the action is audited', async (t) => {
  const { app, lines } = await setup(t)
  const avail = async (): Promise<number> => (await app.inject({ method: 'GET', url: '/availability' })).statusCode
  t.equal(await avail(), 200)
  const res = await app.inject({ method: 'POST', url: '/admin/drain', headers: { ...auth, 'content-type': 'application/json' }, remoteAddress: '10.0.0.9' })
  t.equal(res.statusCode, 200, 'a JSON content type with no body is fine')
  t.match(res.json(), { manual_drain: true, state: 'draining', available: false, reason: 'manual_drain' })
  t.equal(await avail(), 503)
  t.equal((await app.inject({ method: 'POST', url: '/admin/drain', headers: auth })).statusCode, 200, 'idempotent')
  const status = (await app.inject({ method: 'GET', url: '/status' })).json()
  t.match(status, { state: 'draining', reason: 'manual_drain', observed: { state: 'up' }, overrides: { manual_drain: { by: '10.0.0.9' }, drain_file: null, evacuation: null } })
  let metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /emqx_lb_sidecar_manual_drain\{source="api"\} 1/)
  t.match(metrics, /emqx_lb_sidecar_state\{state="draining"\} 1/)
  t.match(metrics, /emqx_lb_sidecar_available 0/)
  t.match((await app.inject({ method: 'POST', url: '/admin/undrain', headers: auth })).json(), { manual_drain: false, state: 'up', available: true })
  t.equal(await avail(), 200)
  metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /emqx_lb_sidecar_manual_drain\{source="api"\} 0/)
  t.match(metrics, /emqx_lb_sidecar_admin_requests_total\{action="drain",result="ok"\} 2/)
  t.match(lines.find((l) => l.event === 'admin'), { action: 'drain', remote: '10.0.0.9', result: 'ok' })
  t.equal((await app.inject({ method: 'GET', url: '/admin/drain', headers: auth })).statusCode, 404, 'GET does not drain')
})

for (const profile of ['v5', 'v4.4'] as const) {
  t.test(`${profile}: POST /admin/evacuate answers at once (503 from then on); GET /prestop blocks until done`, async (t) => {
    const { app, sim, store } = await setup(t, { simProfile: profile, ...(profile === 'v4.4' ? { flags: ['--wait-health-check', '0s'] } : {}) })
    const res = await app.inject({ method: 'POST', url: '/admin/evacuate', headers: auth })
    t.equal(res.statusCode, 202)
    t.match(res.json(), { evacuation: { phase: 'starting' }, state: 'draining', reason: 'evacuation' })
    t.equal((await app.inject({ method: 'GET', url: '/availability' })).statusCode, 503, '503 from the moment the evacuation was asked for')
    const pre = await app.inject({ method: 'GET', url: '/prestop', headers: auth })
    t.equal(pre.statusCode, 200)
    t.match(pre.json(), { evacuation: { phase: 'done', node: sim.nodeName, emqx_state: /^(waiting_takeover|evicting_sessions|prohibiting)$/, connections: 0, sessions: 0, error: null }, state: 'draining' })
    // 4.4 before its wait phase refuses wait_health_check first, then starts without it
    t.equal(sim.evacuationRequests.filter((r) => r.op === 'start').length, profile === 'v4.4' ? 2 : 1, 'one start for both requests')
    t.match((await app.inject({ method: 'GET', url: '/status' })).json(), { overrides: { evacuation: { phase: 'done' } } })
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
    t.match(metrics, /emqx_lb_sidecar_evacuation_phase\{phase="done"\} 1/)
    t.match(metrics, /emqx_lb_sidecar_rebalance_connections\{stat="current_connected"\} 0/)
    const stop = await app.inject({ method: 'POST', url: '/admin/evacuate/stop', headers: auth })
    t.match(stop.json(), { stopped: true, already: false })
    t.equal(sim.process.kind, 'none')
    t.equal(store.current.overrides.evacuation, undefined)
  })
}

t.test('v5.8 durable sessions: GET /prestop answers 200 once the session count stopped falling, not 504 at the deadline', async (t) => {
  const { app, sim } = await setup(t, { simProfile: 'v5.8', flags: ['--evacuation-timeout', '30s'] })
  const started = performance.now()
  const pre = await app.inject({ method: 'GET', url: '/prestop', headers: auth })
  const took = performance.now() - started
  t.equal(pre.statusCode, 200, pre.body)
  t.match(pre.json(), { evacuation: { phase: 'done', emqx_state: 'evicting_sessions', connections: 0, sessions: 5, done_reason: 'sessions_stalled', sessions_note: /durable sessions/ } })
  t.ok(took >= 5000 && took < 15_000, `answered after ${Math.round(took)}ms: the 5 s stall rule, long before the 30 s deadline`)
  t.match(sim.process, { kind: 'evacuation', state: 'evicting_sessions' })
})

t.test('GET /prestop answers 502 when EMQX refuses, 504 at the deadline', async (t) => {
  const { app, sim } = await setup(t, { flags: ['--evacuation-timeout', '1s', '--wait-health-check', '600s'] })
  await sim.setFault('rpc_error')
  const failed = await app.inject({ method: 'GET', url: '/prestop', headers: auth })
  t.equal(failed.statusCode, 502)
  t.match(failed.json(), { evacuation: { phase: 'failed', error: /RPC_ERROR/ }, state: 'draining' })
  await sim.setFault('none')
  const late = await app.inject({ method: 'GET', url: '/prestop', headers: auth })
  t.equal(late.statusCode, 504, 'deadline')
  t.match(late.json(), { evacuation: { phase: 'deadline' } })
})

t.test('a separate admin listener serves the admin endpoints, the main one does not', async (t) => {
  const { app, adminApp } = await setup(t, { separate: true })
  t.equal((await app.inject({ method: 'POST', url: '/admin/drain', headers: auth })).statusCode, 404)
  t.equal((await adminApp.inject({ method: 'POST', url: '/admin/drain', headers: auth })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/availability' })).statusCode, 503, 'the drain shows on the main listener')
  t.equal((await adminApp.inject({ method: 'GET', url: '/availability' })).statusCode, 404, 'probes stay on the main listener')
})
