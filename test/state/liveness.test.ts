import t from 'tap'
import pino from 'pino'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient, type CheckResult } from '../../src/emqx/client.js'
import { buildApp } from '../../src/http/listeners/app.js'
import { createMetrics } from '../../src/metrics/registry.js'
import { Heartbeat, livenessBoundMs, MAX_REQUESTS_PER_CHECK } from '../../src/state/heartbeat.js'
import { Monitor } from '../../src/state/monitor.js'
import { Store } from '../../src/state/store.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { startDouble } from '../support/emqx-double.js'
import { nextEvent, waitFor } from '../support/wait.js'

t.test('the bound covers an interval plus every request of a check timing out, plus a grace', async (t) => {
  t.equal(livenessBoundMs(1000, 1000), 1000 + MAX_REQUESTS_PER_CHECK * 1000 + 1000)
  t.equal(livenessBoundMs(50, 10), 50 + MAX_REQUESTS_PER_CHECK * 10 + 1000, 'grace at least 1 s')
  t.equal(livenessBoundMs(5000, 1000), 5000 + MAX_REQUESTS_PER_CHECK * 1000 + 5000, 'grace one interval')
})

t.test('heartbeat: alive within the bound, stalled past it, at rest after a deliberate stop', async (t) => {
  let now = 0
  const h = new Heartbeat({ intervalMs: 100, boundMs: 1000, clock: () => now })
  now = 1000
  t.ok(h.alive(), 'alive at the bound (counted from creation)')
  now = 1001
  t.notOk(h.alive(), 'a loop that never started is a stall')
  h.beat()
  now = 1051
  t.equal(h.lagMs(), 0, 'on schedule: no lag')
  now = 1301
  t.equal(h.lagMs(), 200, 'lag: time since the last start beyond the interval')
  h.rest()
  now = 99_999
  t.ok(h.alive(), 'stopped on purpose (shutdown): not a stall')
  t.equal(h.lagMs(), 0)
})

function wire (client: EmqxClient, pollIntervalMs: number, emqxTimeoutMs: number) {
  const store = new Store(initialSnapshot(Date.now()))
  const heartbeat = new Heartbeat({ intervalMs: pollIntervalMs, boundMs: livenessBoundMs(pollIntervalMs, emqxTimeoutMs) })
  const log = pino({ level: 'silent' })
  const monitor = new Monitor({ client, store, log, pollIntervalMs, failureThreshold: 3, heartbeat })
  const metrics = createMetrics(store, { heartbeat })
  const app = buildApp({ store, metrics, log, heartbeat })
  const livez = async (): Promise<{ status: number, body: Record<string, unknown> }> => {
    const res = await app.inject({ method: 'GET', url: '/livez' })
    return { status: res.statusCode, body: res.json() }
  }
  const lag = async (): Promise<number> => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
    const m = /^emqx_lb_sidecar_poll_lag_seconds (\S+)$/m.exec(text)
    if (m?.[1] === undefined) throw new Error('emqx_lb_sidecar_poll_lag_seconds missing from /metrics')
    return Number(m[1])
  }
  return { store, heartbeat, monitor, app, livez, lag }
}

t.test('a stalled poll loop fails /livez with 503 and shows in the lag metric', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--poll-interval', '50ms', '--emqx-timeout', '50ms'], {})
  let checks = 0
  // the first check answers; the second never returns (a bug that hangs the loop, not EMQX)
  class StallingClient extends EmqxClient {
    override async check (): Promise<CheckResult> {
      if (++checks > 1) return await new Promise<CheckResult>(() => undefined)
      return await super.check()
    }
  }
  const client = new StallingClient(config.emqx)
  const w = wire(client, config.pollIntervalMs, config.emqx.timeoutMs)
  t.teardown(async () => { await w.app.close(); await client.close() })
  w.monitor.start()
  await nextEvent(w.store, 'check', () => true, 5000, 'the first check')
  t.equal((await w.livez()).status, 200, 'alive while checks start')
  const bound = w.heartbeat.boundMs
  const failed = await waitFor(w.livez, (r) => r.status === 503, { what: `/livez 503 once no check started for ${bound}ms`, timeoutMs: bound * 4, intervalMs: 50 })
  t.equal(checks, 2, 'the loop is stuck in its second check')
  t.match(failed.body, { status: 'stalled', reason: 'poll_loop_stalled', bound_ms: bound })
  t.ok(await w.lag() > (bound - config.pollIntervalMs) / 1000, 'poll_lag_seconds past the bound')
  t.equal((await w.app.inject({ method: 'HEAD', url: '/livez' })).statusCode, 503, 'HEAD too')
})

t.test('an EMQX that hangs never fails /livez: checks keep starting and time out', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  await sim.setFault('hang')
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--poll-interval', '50ms', '--emqx-timeout', '100ms'], {})
  const client = new EmqxClient(config.emqx)
  const w = wire(client, config.pollIntervalMs, config.emqx.timeoutMs)
  t.teardown(async () => { await w.monitor.stop(); await w.app.close(); await client.close() })
  w.monitor.start()
  // Each timed-out check is an event: liveness is read after each one, for longer than the bound, so
  // liveness tied to EMQX answering (instead of to checks starting) would fail here.
  const startedAt = performance.now()
  const span = w.heartbeat.boundMs * 1.5
  let checks = 0
  let timeouts = 0
  const notLive: string[] = []
  while (performance.now() - startedAt < span) {
    const [ev] = await nextEvent<[{ outcome: { kind: string, reason?: string } }]>(w.store, 'check', () => true, 5000, `check ${checks + 1}`)
    checks++
    if (ev.outcome.kind === 'failure' && ev.outcome.reason === 'timeout') timeouts++
    const live = await w.livez()
    if (live.status !== 200) notLive.push(`after check ${checks}: ${JSON.stringify(live.body)}`)
  }
  t.same(notLive, [], `/livez 200 after each of ${checks} checks over ${Math.round(span)}ms`)
  t.equal(timeouts, checks, 'every check timed out against the hanging EMQX')
  t.equal(w.store.current.state, 'down', 'the node is down, the process is alive')
  await w.monitor.stop()
  t.ok(w.heartbeat.alive(), 'a deliberate stop (shutdown) is not a stall')
})
