import t, { type Test } from 'tap'
import pino from 'pino'
import { Writable } from 'node:stream'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient, NODE_STATUS_EVERY } from '../../src/emqx/client.js'
import { Monitor } from '../../src/state/monitor.js'
import { Store } from '../../src/state/store.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { startDouble, type EmqxDouble } from '../support/emqx-double.js'
import { nextEvent } from '../support/wait.js'

function setup (t: Test, sim: EmqxDouble, extra: string[] = [], env: Record<string, string> = {}) {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  const log = pino({ level: 'debug' }, sink)
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--poll-interval', '100ms', '--emqx-timeout', '200ms', ...extra], env)
  const client = new EmqxClient(config.emqx)
  const store = new Store(initialSnapshot(Date.now()))
  const monitor = new Monitor({ client, store, log, pollIntervalMs: config.pollIntervalMs, failureThreshold: config.failureThreshold })
  t.teardown(async () => { await monitor.stop(); await client.close() })
  return { store, monitor, lines, client }
}

t.test('the poller follows EMQX: up -> draining -> up, each within about one interval', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const { store, monitor } = setup(t, sim)
  monitor.start()
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'up', 2000, 'state up')
  const flippedAt = performance.now()
  sim.becomeDonor()
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'draining', 1000, 'state draining')
  const took = performance.now() - flippedAt
  t.ok(took < 100 + 400, `drain seen in ${Math.round(took)}ms (interval 100ms; generous bound, figures live in npm run bench)`)
  sim.stopProcess()
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'up', 1000, 'state up again')
})

t.test('steady state costs one EMQX request per poll, plus the node status every NODE_STATUS_EVERY polls', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const { store, monitor } = setup(t, sim)
  let checks = 0
  store.on('check', () => { checks++ })
  monitor.start()
  const want = NODE_STATUS_EVERY * 2
  await nextEvent(store, 'check', () => checks >= want, 5000, `${want} checks`)
  await monitor.stop()
  const availability = sim.count('/api/v5/load_rebalance/availability_check')
  t.equal(availability, checks, 'one availability request per check')
  const status = sim.count('/api/v5/status')
  t.equal(status, 1 + Math.floor((checks - 1) / NODE_STATUS_EVERY), 'node status: one node name lookup at detection, then every NODE_STATUS_EVERY checks after it')
  t.equal(sim.totalRequests, availability + status, `total EMQX requests ${sim.totalRequests} for ${checks} checks`)
})

t.test('logs a failure streak once, the state change once, and the recovery once', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const { store, monitor, lines } = setup(t, sim)
  monitor.start()
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'up', 2000, 'up')
  await sim.setFault('5xx')
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'down', 2000, 'down after 3 failures')
  let more = 0
  await nextEvent(store, 'check', () => ++more >= 3, 2000, '3 more failing checks')
  await sim.setFault('none')
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'up', 2000, 'up again')
  const msgs = lines.map((l) => String(l.msg))
  t.equal(msgs.filter((m) => m.startsWith('EMQX check failed')).length, 1, 'the first failure is logged once')
  t.equal(msgs.filter((m) => m.startsWith('node is down')).length, 1, 'the change to down is logged once')
  t.equal(msgs.filter((m) => m.startsWith('node is up')).length, 2, 'start and recovery')
})

t.test('a 401 is logged as a configuration error and shown in the snapshot', async (t) => {
  const sim = await startDouble(t, { profile: 'v5.3' })
  const { store, monitor, lines } = setup(t, sim, ['--failure-threshold', '1'])
  monitor.start()
  await nextEvent(store, 'update', (s: { reason: string }) => s.reason === 'emqx_auth', 2000, 'auth failure')
  t.ok(lines.some((l) => l.level === 50 && /configuration error/.test(String(l.msg))), 'error-level configuration message')
  t.equal(store.current.lastCheck?.failureReason, 'auth')
})

t.test('open-source fallback warns once that drains cannot be detected', async (t) => {
  const sim = await startDouble(t, { profile: 'oss' })
  const { store, monitor, lines } = setup(t, sim)
  monitor.start()
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'up', 2000, 'up')
  let n = 0
  await nextEvent(store, 'check', () => ++n >= 3, 2000, 'more checks')
  t.equal(lines.filter((l) => l.code === 'emqx_rebalance_api_missing').length, 1)
  t.equal(store.current.api?.mode, 'node_status')
})

t.test('with credentials, the local rebalance status is read while draining and not while idle', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', connections: 1000, nodeName: 'emqx@node1' })
  const { store, monitor } = setup(t, sim, [], { SIDECAR_EMQX_USERNAME: 'admin', SIDECAR_EMQX_PASSWORD: 'public' })
  monitor.start()
  await nextEvent(store, 'update', (s: { rebalance?: { status: string } }) => s.rebalance?.status === 'disabled', 2000, 'initial rebalance status')
  let n = 0
  await nextEvent(store, 'check', () => ++n >= 3, 2000, 'idle checks')
  t.equal(sim.count('/api/v5/load_rebalance/status'), 1, 'idle: read once only')
  sim.startEvacuation()
  sim.counts.connections = 400
  const s = await nextEvent(store, 'update', (s: { rebalance?: { state?: string } }) => s.rebalance?.state === 'waiting_health_check', 2000, 'evacuation status')
  t.match(s[0], { state: 'draining', nodeName: 'emqx@node1', rebalance: { process: 'evacuation', stats: { initial_connected: 1000, current_connected: 400 } } })
  sim.stopProcess()
  await nextEvent(store, 'update', (s: { rebalance?: { status: string }, state: string }) => s.state === 'up' && s.rebalance?.status === 'disabled', 2000, 'back to disabled')
})

t.test('without credentials the rebalance status is reported as not readable', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const { store, monitor } = setup(t, sim)
  monitor.start()
  await nextEvent(store, 'update', (s: { rebalanceError?: string }) => s.rebalanceError !== undefined, 2000, 'rebalance error')
  t.match(store.current.rebalanceError, /no EMQX credentials/)
})
