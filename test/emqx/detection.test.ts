import t, { type Test } from 'tap'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { loadServeConfig } from '../../src/config/serve-config.js'
import type { EmqxConfig } from '../../src/config/serve-types.js'
import { EmqxClient, NODE_STATUS_EVERY } from '../../src/emqx/client.js'
import { startDouble, type EmqxDouble } from '../support/emqx-double.js'

const CREDS = { SIDECAR_EMQX_USERNAME: 'admin', SIDECAR_EMQX_PASSWORD: 'public' }
const V5_AVAILABILITY = '/api/v5/load_rebalance/availability_check'

function client (t: Test, args: string[], env: Record<string, string> = {}): EmqxClient {
  const c = new EmqxClient(loadServeConfig(args, env).config.emqx)
  t.teardown(() => c.close())
  return c
}

/** The sidecar's default URL (not set explicitly) pointing at 4.4's dashboard, 8081 at the double's management port. */
function defaultUrlClient (t: Test, sim: EmqxDouble, env: Record<string, string> = {}): EmqxClient {
  const base = loadServeConfig([], env).config.emqx
  const emqx: EmqxConfig = { ...base, url: new URL(sim.dashboardUrl ?? ''), urlExplicit: false }
  const c = new EmqxClient(emqx, undefined, { v4Port: sim.port })
  t.teardown(() => c.close())
  return c
}

/** Makes the double answer one path badly once (the rest answers normally), as a fault ending mid-detection does. */
function spoilOnce (sim: EmqxDouble, path: string, how: 'hang' | 'garbage'): void {
  sim.intercept = (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.url ?? '').split('?')[0] !== path) return false
    sim.intercept = undefined
    if (how === 'garbage') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>surprise</html>')
    return true
  }
}

for (const how of ['hang', 'garbage'] as const) {
  t.test(`a candidate that answers ${how} is unknown, not absent: no fallback while the next candidate answers 404`, async (t) => {
    const sim = await startDouble(t, { profile: 'v5' })
    const c = client(t, ['--emqx-url', sim.url, '--emqx-timeout', '200ms'])
    spoilOnce(sim, V5_AVAILABILITY, how)
    const r = await c.check()
    t.match(r.outcome, { kind: 'failure', reason: how === 'hang' ? 'timeout' : 'bad_body' })
    t.equal(r.detected, undefined, 'no API claimed, and certainly not the node-status fallback')
    t.equal(sim.count('/api/v4/load_rebalance/availability_check'), 1, 'the v4 path answered 404 meanwhile')
    const next = await c.check()
    t.same(next.outcome, { kind: 'available' })
    t.match(next.detected, { version: 'v5', mode: 'rebalance' })
  })
}

t.test('detection is sticky: faults are failures, never a change of API generation or mode', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const c = client(t, ['--emqx-url', sim.url, '--emqx-timeout', '200ms'])
  await c.check()
  const target = c.target
  for (const fault of ['hang', 'reset', 'garbage', 'garbage_503', '5xx', 'redirect', 'hang_mid_body'] as const) {
    await sim.setFault(fault)
    for (let i = 0; i < 3; i++) t.match((await c.check()).outcome, { kind: 'failure' }, `${fault} #${i + 1}`)
    t.equal(c.target, target, `${fault}: same API`)
  }
  await sim.setFault('none')
  sim.becomeDonor()
  const r = await c.check()
  t.same(r.outcome, { kind: 'unavailable', code: 'NODE_EVACUATING' }, 'the donor is seen on the first check after the faults')
  t.equal(r.detected, undefined)
})

t.test('a clean 404 from the detected API leads to a new detection: an upgrade from 4.4 to 5 is followed', async (t) => {
  const old = await startDouble(t, { profile: 'v4.4.24' })
  const c = client(t, ['--emqx-url', old.url], CREDS)
  t.match((await c.check()).detected, { version: 'v4', mode: 'rebalance' })
  const port = old.port
  await old.close()
  const sim = await startDouble(t, { profile: 'v5', port })
  t.match((await c.check()).outcome, { kind: 'failure', reason: 'not_found' }, 'the 404 itself is a failure under the normal rules')
  const r = await c.check()
  t.match(r.detected, { version: 'v5', mode: 'rebalance' })
  sim.becomeDonor()
  t.match((await c.check()).outcome, { kind: 'unavailable' })
})

t.test('4.4 with the default URL: 18083 is the dashboard, the API is used on 8081 (node name, evacuation)', async (t) => {
  const sim = await startDouble(t, { profile: 'v4.4', nodeName: 'emqx@10.0.0.1', timeScale: 0 })
  const c = defaultUrlClient(t, sim, CREDS)
  const r = await c.check()
  t.same(r.outcome, { kind: 'available' })
  t.match(r.detected, { version: 'v4', mode: 'rebalance' })
  t.equal(c.target?.base.port, String(sim.port), 'the management port, not the dashboard, though admin/public also logs in there')
  t.equal(await c.nodeName(), 'emqx@10.0.0.1', 'the node name from /status, which only the management port has')
  // 4.4 before its wait phase refuses wait_health_check: asked without it, as the evacuator does on that answer
  const settings = { waitHealthCheckS: 0, connEvictRate: 10, sessEvictRate: 10, waitTakeoverS: 5, migrateTo: [] }
  const call = await c.evacuation('start', 'emqx@10.0.0.1', settings, { withoutWaitHealthCheck: true })
  t.same(call, { ok: true, already: false })
  t.equal(sim.process.kind, 'evacuation', 'EMQX 4.4 is evacuating')
})

t.test('4.4 with the default URL and no credentials: the 401 of the dashboard does not end detection', async (t) => {
  const sim = await startDouble(t, { profile: 'v4.4' })
  const c = defaultUrlClient(t, sim)
  const r = await c.check()
  t.match(r.detected, { version: 'v4', mode: 'rebalance' }, 'the 4.4 management API was reached after the dashboard\'s 401')
  t.equal(c.target?.base.port, String(sim.port))
  t.match(r.outcome, { kind: 'failure', reason: 'auth', detail: /credentials needed, or open-source/ })
})

t.test('open-source 4.4: 401 without credentials says "credentials needed, or open-source"; with them, the fallback', async (t) => {
  const sim = await startDouble(t, { profile: 'oss-v4.4', nodeName: 'emqx@10.0.0.2' })
  const anon = defaultUrlClient(t, sim)
  for (let i = 0; i < 3; i++) {
    const r = await anon.check()
    t.match(r.outcome, { kind: 'failure', reason: 'auth', detail: /credentials needed, or open-source EMQX .*SIDECAR_EMQX_USERNAME/ })
  }
  t.equal(sim.count('/api/v4/load_rebalance/availability_check'), 3, 'one request per check: no re-detection loop on the auth error')
  const authed = defaultUrlClient(t, sim, CREDS)
  t.match((await authed.check()).outcome, { kind: 'failure', reason: 'not_found' }, 'one clean 404 is not enough')
  const r = await authed.check()
  t.match(r.detected, { version: 'v4', mode: 'node_status' })
  t.equal(r.detected?.base.port, String(sim.port))
  t.same(r.outcome, { kind: 'available' })
  t.equal(await authed.nodeName(), 'emqx@10.0.0.2')
})

t.test('EMQX\'s own "not running" is seen in rebalance mode within NODE_STATUS_EVERY + 1 checks, and its end too', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const c = client(t, ['--emqx-url', sim.url])
  await c.check()
  sim.running = false
  const outcomes: string[] = []
  for (let i = 0; i <= NODE_STATUS_EVERY; i++) outcomes.push((await c.check()).outcome.kind)
  t.same(outcomes.slice(0, NODE_STATUS_EVERY - 1), Array(NODE_STATUS_EVERY - 1).fill('available'), 'availability_check alone still says 200')
  t.equal(outcomes.at(-1), 'not_running', `then EMQX's node status is heard (the read runs beside a check, so it may count one check later): ${outcomes.join(', ')}`)
  t.equal(sim.count('/api/v5/status'), 1, 'one node status read')
  sim.running = true
  const after: string[] = []
  for (let i = 0; i <= NODE_STATUS_EVERY; i++) after.push((await c.check()).outcome.kind)
  t.equal(after.at(-1), 'available', `running again: ${after.join(', ')}`)
})

t.test('per-path faults: availability hangs while /status answers is a failure; /status hanging alone changes nothing', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const c = client(t, ['--emqx-url', sim.url, '--emqx-timeout', '200ms'])
  await c.check()
  await sim.setFault('hang', { path: 'availability' })
  for (let i = 0; i < NODE_STATUS_EVERY; i++) t.match((await c.check()).outcome, { kind: 'failure', reason: 'timeout' }, 'never up on the node status alone')
  await sim.setFault('hang', { path: 'status' })
  for (let i = 0; i < NODE_STATUS_EVERY; i++) t.same((await c.check()).outcome, { kind: 'available' }, 'the extra node status read failing is not a failed check')
  t.ok(sim.count('/api/v5/status') >= 1, 'the node status was asked meanwhile')
})

t.test('a 503 without EMQX\'s "not_running" (a stopped dashboard listener, a proxy page) is not "not running"', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const c = client(t, ['--emqx-url', sim.url])
  await c.check()
  await sim.setFault('garbage_503', { path: 'status' })
  for (let i = 0; i < NODE_STATUS_EVERY; i++) t.same((await c.check()).outcome, { kind: 'available' })
})
