import t from 'tap'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { startDouble } from '../support/emqx-double.js'

function client (args: string[], env: Record<string, string> = {}): EmqxClient {
  const c = new EmqxClient(loadServeConfig(args, env).config.emqx)
  return c
}

const CREDS = { SIDECAR_EMQX_USERNAME: 'admin', SIDECAR_EMQX_PASSWORD: 'public' }

t.test('auto detects 5.4+ without credentials, and follows a donor flip', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const c = client(['--emqx-url', sim.url])
  t.teardown(() => c.close())
  const first = await c.check()
  t.same(first.outcome, { kind: 'available' })
  t.match(first.detected, { version: 'v5', mode: 'rebalance' })
  sim.becomeDonor()
  t.same((await c.check()).outcome, { kind: 'unavailable', code: 'NODE_EVACUATING' })
  t.equal(sim.count('/api/v5/load_rebalance/availability_check'), 2, 'one request per check')
})

t.test('5.0.4-5.3 needs credentials: 401 without them is an auth failure on the right API', async (t) => {
  const sim = await startDouble(t, { profile: 'v5.3' })
  const anon = client(['--emqx-url', sim.url])
  t.teardown(() => anon.close())
  const r = await anon.check()
  t.match(r.outcome, { kind: 'failure', reason: 'auth', httpStatus: 401 })
  t.match(r.detected, { version: 'v5', mode: 'rebalance' }, 'the API was found; it wants credentials')
  const authed = client(['--emqx-url', sim.url], CREDS)
  t.teardown(() => authed.close())
  t.same((await authed.check()).outcome, { kind: 'available' })
  t.equal(sim.authHeaders.at(-1), `Basic ${Buffer.from('admin:public').toString('base64')}`)
  const wrong = client(['--emqx-url', sim.url], { ...CREDS, SIDECAR_EMQX_PASSWORD: 'nope' })
  t.teardown(() => wrong.close())
  t.match((await wrong.check()).outcome, { kind: 'failure', reason: 'auth' })
})

t.test('5.4+ ignores bad credentials on availability_check', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const c = client(['--emqx-url', sim.url], { ...CREDS, SIDECAR_EMQX_PASSWORD: 'wrong' })
  t.teardown(() => c.close())
  t.same((await c.check()).outcome, { kind: 'available' })
  const rb = await c.localRebalance()
  t.match(rb, { error: /401/ }, 'but the rebalance status needs valid ones')
})

for (const profile of ['v4.4', 'v4.4.24'] as const) {
  t.test(`auto finds ${profile} on the same URL after 5.x paths 404; 4.4 drains answer 503 {}`, async (t) => {
    const sim = await startDouble(t, { profile })
    const c = client(['--emqx-url', sim.url], CREDS)
    t.teardown(() => c.close())
    const r = await c.check()
    t.same(r.outcome, { kind: 'available' })
    t.match(r.detected, { version: 'v4', mode: 'rebalance' })
    sim.startEvacuation()
    t.same((await c.check()).outcome, { kind: 'unavailable' })
    const rb = await c.localRebalance()
    t.match(rb, { value: { status: 'enabled', process: 'evacuation' } })
  })
}

t.test('4.4.12-4.4.23 without credentials: auth failure naming the settings', async (t) => {
  const sim = await startDouble(t, { profile: 'v4.4' })
  const c = client(['--emqx-url', sim.url, '--emqx-api-version', 'v4'])
  t.teardown(() => c.close())
  const r = await c.check()
  t.match(r.outcome, { kind: 'failure', reason: 'auth', detail: /SIDECAR_EMQX_USERNAME/ })
})

t.test('open-source EMQX (404 on the rebalance API) falls back to node status', async (t) => {
  const sim = await startDouble(t, { profile: 'oss', nodeName: 'emqx@10.1.2.3' })
  const c = client(['--emqx-url', sim.url])
  t.teardown(() => c.close())
  const first = await c.check()
  t.match(first.outcome, { kind: 'failure', reason: 'not_found', detail: /confirming/ }, 'one clean 404 is not enough to fall back')
  t.equal(first.detected, undefined)
  const r = await c.check()
  t.same(r.outcome, { kind: 'available' })
  t.match(r.detected, { version: 'v5', mode: 'node_status' })
  t.match(r.evidence, [/availability_check: 404/, /availability_check: connection refused|availability_check: 404/, /status\?format=json: 200, node emqx@10.1.2.3/], 'the evidence is reported')
  t.equal(await c.nodeName(), 'emqx@10.1.2.3')
  sim.running = false
  t.same((await c.check()).outcome, { kind: 'not_running' })
  t.match(await c.localRebalance(), { error: /not available/ })
})

t.test('pinned v5 does not wander to v4 paths', async (t) => {
  const sim = await startDouble(t, { profile: 'v4.4.24' })
  const c = client(['--emqx-url', sim.url, '--emqx-api-version', 'v5'])
  t.teardown(() => c.close())
  const r = await c.check()
  // 4.4 has no /api/v5/status either: nothing proves an EMQX 5 here, so no API is claimed
  t.equal(r.detected, undefined, 'no fallback claimed when the v5 node status endpoint is 404 too')
  t.match(r.outcome, { kind: 'failure', reason: 'not_found' })
  t.equal(sim.count('/api/v4/load_rebalance/availability_check'), 0)
})

t.test('404 everywhere does not lock the client into the node status fallback', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const c = client(['--emqx-url', sim.url])
  t.teardown(() => c.close())
  await sim.setFault('not_found')
  const r = await c.check()
  t.equal(r.detected, undefined)
  t.match(r.outcome, { kind: 'failure', reason: 'not_found' })
  await sim.setFault('none')
  t.match((await c.check()).detected, { version: 'v5', mode: 'rebalance' }, 'the rebalance API is found once EMQX answers again')
})

t.test('nothing listening: a refused failure, and detection is retried next time', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const url = sim.url
  await sim.setFault('refuse')
  const c = client(['--emqx-url', url])
  t.teardown(() => c.close())
  const r = await c.check()
  t.match(r.outcome, { kind: 'failure', reason: 'refused' })
  t.equal(c.target, undefined)
  await sim.setFault('none')
  t.same((await c.check()).outcome, { kind: 'available' })
})

t.test('faults become failures with reasons, within the timeout', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const c = client(['--emqx-url', sim.url, '--emqx-timeout', '200ms'])
  t.teardown(() => c.close())
  await c.check()
  const cases = [
    ['hang', 'timeout'], ['hang_mid_body', 'timeout'], ['reset', 'reset'], ['drip', 'timeout'], ['5xx', 'http_5xx'],
    ['garbage', 'bad_body'], ['garbage_503', 'bad_body'], ['huge', 'body_too_large'], ['redirect', 'redirect'], ['auth_reject', 'auth'],
  ] as const
  for (const [fault, reason] of cases) {
    await sim.setFault(fault)
    const started = performance.now()
    const r = await c.check()
    const took = performance.now() - started
    t.match(r.outcome, { kind: 'failure', reason }, `${fault} -> ${reason}`)
    t.ok(took < 1500, `${fault} answered within a bounded time (${Math.round(took)}ms)`)
  }
  await sim.setFault('none')
  t.same((await c.check()).outcome, { kind: 'available' }, 'recovers after faults')
})

t.test('a slow but in-time EMQX is fine', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const c = client(['--emqx-url', sim.url, '--emqx-timeout', '1s'])
  t.teardown(() => c.close())
  await sim.setFault('slow', { slowMs: 100 })
  const r = await c.check()
  t.same(r.outcome, { kind: 'available' })
  t.ok(r.durationMs >= 90, 'duration measured')
})
