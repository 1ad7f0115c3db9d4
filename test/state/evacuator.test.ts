import t, { type Test as T } from 'tap'
import pino from 'pino'
import { Writable } from 'node:stream'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import { probeAnswer } from '../../src/http/listeners/probe.js'
import { evacuationDocument } from '../../src/http/views/status.js'
import { Evacuator } from '../../src/state/evacuator.js'
import { Monitor } from '../../src/state/monitor.js'
import { Store } from '../../src/state/store.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { startDouble, type EmqxDouble, type SimProfile } from '../support/emqx-double.js'
import { nextEvent } from '../support/wait.js'

/** A monitor and an evacuator on one store, against the double, as main.ts wires them. */
async function setup (t: T, sim: EmqxDouble, flags: string[] = []) {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  const log = pino({ level: 'debug' }, sink)
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin', '--poll-interval', '50ms', '--emqx-timeout', '500ms',
    '--wait-health-check', '10s', '--evacuation-wait-takeover', '10s', '--evacuation-conn-evict-rate', '100', ...flags], { SIDECAR_EMQX_PASSWORD: 'public' })
  const client = new EmqxClient(config.emqx)
  const store = new Store(initialSnapshot(Date.now()))
  const monitor = new Monitor({ client, store, log, pollIntervalMs: config.pollIntervalMs, failureThreshold: config.failureThreshold })
  const evacuator = new Evacuator({ client, store, log, config: config.evacuation, pollIntervalMs: config.pollIntervalMs })
  t.teardown(async () => { evacuator.cancel(); await evacuator.settled(); await monitor.stop(); await client.close() })
  monitor.start()
  await nextEvent(store, 'update', (s: { state: string, nodeName?: string }) => s.state === 'up' && s.nodeName !== undefined, 3000, 'up with a node name')
  return { store, evacuator, lines, client, config }
}

const V5_BODY = { wait_health_check: 10, conn_evict_rate: 100, sess_evict_rate: 500, wait_takeover: 10 }
const NO_WAIT_BODY = { conn_evict_rate: 100, sess_evict_rate: 500, wait_takeover: 10 }
/** what EMQX receives: e5.0.4 and 4.4 before the wait phase refuse wait_health_check (400) and get the body again without it */
const START_BODIES: Readonly<Record<string, readonly unknown[]>> = {
  v5: [V5_BODY],
  'v5.3': [V5_BODY],
  'v5.0.4': [{ ...V5_BODY, wait_health_check: 1 }, NO_WAIT_BODY],
  'v4.4.24': [V5_BODY],
  'v4.4': [{ ...V5_BODY, wait_health_check: 1 }, NO_WAIT_BODY],
}

for (const profile of ['v5', 'v5.3', 'v5.0.4', 'v4.4.24', 'v4.4'] as SimProfile[]) {
  t.test(`${profile}: the full evacuation, 503 from the first moment to the end`, async (t) => {
    // 100x: 10 s wait_health_check + 2 s of eviction + 10 s takeover in about 0.2 s
    const sim = await startDouble(t, { profile, nodeName: 'emqx@n1', connections: 200, timeScale: 100 })
    sim.counts.disconnectedSessions = 100
    sim.counts.sessions = 300
    // 4.4 and e5.0.4: the sidecar's own wait_health_check runs on the real clock, so keep it short here
    const held = profile === 'v4.4' || profile === 'v5.0.4'
    const { store, evacuator, lines } = await setup(t, sim, held ? ['--wait-health-check', '1s'] : [])
    const answers = new Set<number>()
    store.on('update', (s) => answers.add(probeAnswer(s).status))

    const run = evacuator.start('10.1.2.3')
    t.match(store.current, { state: 'draining', reason: 'evacuation', overrides: { evacuation: { phase: 'starting', by: '10.1.2.3' } } }, 'draining before EMQX was even asked')
    t.equal(probeAnswer(store.current).status, 503)
    t.equal(sim.evacuationRequests.length, 0, 'EMQX not asked yet')
    const p = await run
    t.match(p, { phase: 'done', node: 'emqx@n1', emqxState: 'prohibiting', connections: 0, sessions: 0, alreadyStarted: false })
    t.same([...answers], [503], 'every served state in between answered 503')
    t.same(sim.evacuationRequests.map((r) => r.body), START_BODIES[profile], 'start bodies as this EMQX takes them (integer seconds)')
    t.same(sim.evacuationRequests.map((r) => r.node), sim.evacuationRequests.map(() => 'emqx@n1'), 'raw node name in the path')
    const asked = sim.evacuationRequests.length
    const states = lines.filter((l) => l.event === 'evacuation_progress').map((l) => l.emqxState)
    t.ok(states.includes('evicting_conns') || states.includes('prohibiting'), `progress logged: ${states.join(', ')}`)
    t.ok(lines.some((l) => l.event === 'evacuation_done'), 'the end is logged')
    t.match(store.current.rebalance, { process: 'evacuation', state: 'prohibiting' }, 'the rebalance status in the snapshot follows too')
    t.equal(lines.some((l) => l.event === 'evacuation_wait'), held, held ? 'the sidecar held 503 for wait_health_check itself' : 'EMQX holds wait_health_check itself')

    t.same(await evacuator.start('again'), p, 'idempotent: a finished evacuation is returned, EMQX is not asked again')
    t.equal(sim.evacuationRequests.length, asked)
    t.same(await evacuator.stop('10.1.2.3'), { ok: true, already: false })
    t.equal(sim.process.kind, 'none', 'stopped in EMQX')
    t.equal(store.current.overrides.evacuation, undefined)
    await nextEvent(store, 'update', (s: { state: string }) => s.state === 'up', 2000, 'up again once EMQX answers 200')
  })
}

t.test('concurrent requests join one evacuation: EMQX gets one start', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', connections: 10, timeScale: 100 })
  const { evacuator } = await setup(t, sim)
  const all = await Promise.all([evacuator.start('a'), evacuator.start('b'), evacuator.start('c')])
  t.equal(sim.evacuationRequests.filter((r) => r.op === 'start').length, 1)
  t.same(new Set(all.map((p) => p.by)), new Set(['a']), 'the first requester is recorded')
})

t.test('already_started counts as success and is followed to the end', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', connections: 10, timeScale: 100 })
  const { evacuator } = await setup(t, sim)
  sim.startEvacuation({ wait_health_check: 1, conn_evict_rate: 100, wait_takeover: 1 })
  const p = await evacuator.start('x')
  t.match(p, { phase: 'done', alreadyStarted: true, emqxState: /^(waiting_takeover|evicting_sessions|prohibiting)$/ }, 'done once empty or prohibiting')
})

t.test('the deadline path: answers when the deadline passes, still draining', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', connections: 10, timeScale: 1 })
  const { evacuator, store, lines } = await setup(t, sim, ['--evacuation-timeout', '1s'])
  const started = performance.now()
  const p = await evacuator.start('x')
  const took = performance.now() - started
  t.match(p, { phase: 'deadline', emqxState: 'waiting_health_check' })
  t.ok(took >= 950 && took < 3000, `answered after ${Math.round(took)}ms (deadline 1s)`)
  t.match(store.current, { state: 'draining', reason: 'evacuation', message: /deadline passed/ })
  t.ok(lines.some((l) => l.event === 'evacuation_deadline' && l.level === 40), 'warned')
  const again = evacuator.start('retry')
  t.equal(store.current.overrides.evacuation?.phase, 'starting', 'after a deadline, a new request tries again')
  evacuator.cancel()
  await again
})

t.test('EMQX errors: RPC_ERROR fails the evacuation, the node keeps draining, a retry succeeds', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', connections: 10, timeScale: 100 })
  const { evacuator, store, lines } = await setup(t, sim)
  await sim.setFault('rpc_error')
  const p = await evacuator.start('x')
  t.match(p, { phase: 'failed', error: /RPC_ERROR/ })
  t.match(store.current, { state: 'draining', reason: 'evacuation' })
  t.ok(lines.some((l) => l.event === 'evacuation_call_failed' && l.code === 'rpc_error'))
  await sim.setFault('none')
  t.match(await evacuator.start('x'), { phase: 'done' })
})

t.test('an evacuation stopped in EMQX by someone else ends as failed', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', connections: 10, timeScale: 1 })
  const { evacuator } = await setup(t, sim)
  const run = evacuator.start('x')
  while (sim.process.kind !== 'evacuation') await new Promise((resolve) => setTimeout(resolve, 5))
  sim.stopProcess()
  t.match(await run, { phase: 'failed', error: /no longer running/ })
})

t.test('--evacuation-stop-on-start: an evacuation EMQX resumed after a restart is stopped once EMQX answers', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', connections: 10, timeScale: 0 })
  sim.startEvacuation()
  sim.setProcessState('prohibiting')
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin', '--poll-interval', '50ms', '--evacuation-stop-on-start'], { SIDECAR_EMQX_PASSWORD: 'public' })
  t.equal(config.evacuation.stopOnStart, true)
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  const log = pino({ level: 'info' }, sink)
  const client = new EmqxClient(config.emqx)
  const store = new Store(initialSnapshot(Date.now()))
  const monitor = new Monitor({ client, store, log, pollIntervalMs: 50, failureThreshold: 3 })
  const evacuator = new Evacuator({ client, store, log, config: config.evacuation, pollIntervalMs: 50 })
  const abort = new AbortController()
  t.teardown(async () => { abort.abort(); await monitor.stop(); await client.close() })
  const done = evacuator.stopLeftover(abort.signal)
  monitor.start()
  t.equal(await done, 'stopped')
  t.equal(sim.process.kind, 'none')
  t.ok(lines.some((l) => l.event === 'evacuation_leftover_stopped'))
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'up', 2000, 'up once EMQX stopped evacuating')
  t.equal(await evacuator.stopLeftover(abort.signal), 'none', 'nothing left the second time')
})

t.test('--evacuation-wait-takeover 0s: sent as 0 where EMQX takes it (e5.1.1+), as 1 after e5.1.0 refuses 0 (pos_integer)', async (t) => {
  const sent: Record<string, unknown[]> = {}
  for (const profile of ['v5', 'v5.3'] as SimProfile[]) {
    const sim = await startDouble(t, { profile, nodeName: 'emqx@n1', connections: 0, timeScale: 100 })
    const { evacuator, lines } = await setup(t, sim, ['--evacuation-wait-takeover', '0s'])
    t.match(await evacuator.start('x'), { phase: 'done' }, `${profile}: the evacuation runs`)
    sent[profile] = sim.evacuationRequests.map((r) => (r.body as { wait_takeover?: unknown }).wait_takeover)
    if (profile === 'v5.3') t.ok(lines.some((l) => l.event === 'evacuation_positive_wait_takeover'), 'the retry is logged')
  }
  t.same(sent, { v5: [0], 'v5.3': [0, 1] })
})

t.test('v5.8 durable sessions: done once no connection is left and the session count stopped falling; /status says why', async (t) => {
  const sim = await startDouble(t, { profile: 'v5.8', nodeName: 'emqx@n1', connections: 20, timeScale: 100 })
  const { store, lines, client, config } = await setup(t, sim)
  const evacuator = new Evacuator({ client, store, log: pino({ level: 'silent' }), config: config.evacuation, pollIntervalMs: 50, sessionStallMs: 400 })
  t.teardown(async () => { evacuator.cancel(); await evacuator.settled() })
  // the arrival watch's counter read (src/ack/arrivals.ts, every check while draining) is what shows durable sessions on
  t.match(await client.connects('emqx@n1'), { ok: true, source: 'prometheus' })
  t.equal(client.durableSessions, true)
  const p = await evacuator.start('x')
  t.match(p, { phase: 'done', emqxState: 'evicting_sessions', connections: 0, sessions: 5, doneReason: 'sessions_stalled' })
  t.match(evacuationDocument(p), { phase: 'done', done_reason: 'sessions_stalled', sessions_note: /sessions left are durable sessions EMQX keeps in storage/ })
  t.match(sim.process, { kind: 'evacuation', state: 'evicting_sessions' }, 'EMQX itself is still in evicting_sessions')
  t.notOk(lines.some((l) => l.event === 'evacuation_deadline'))
})

t.test('v5.8, durable sessions not known (no counter read from /api/v5/prometheus/stats): the note says it does not know', async (t) => {
  const sim = await startDouble(t, { profile: 'v5.8', nodeName: 'emqx@n1', connections: 20, timeScale: 100 })
  const { store, client, config } = await setup(t, sim)
  const evacuator = new Evacuator({ client, store, log: pino({ level: 'silent' }), config: config.evacuation, pollIntervalMs: 50, sessionStallMs: 400 })
  t.teardown(async () => { evacuator.cancel(); await evacuator.settled() })
  t.equal(client.durableSessions, undefined)
  const p = await evacuator.start('x')
  t.match(p, { phase: 'done', sessions: 5, doneReason: 'sessions_stalled', sessionsNote: /not known whether durable sessions are on/ })
})

t.test('v5.8 with durable sessions off: EMQX counts none, the sessions fall to 0 and no durable note is given', async (t) => {
  const sim = await startDouble(t, { profile: 'v5.8', nodeName: 'emqx@n1', connections: 20, timeScale: 100, durableSessionsEnabled: false })
  const { store, client, config } = await setup(t, sim)
  const evacuator = new Evacuator({ client, store, log: pino({ level: 'silent' }), config: config.evacuation, pollIntervalMs: 50, sessionStallMs: 400 })
  t.teardown(async () => { evacuator.cancel(); await evacuator.settled() })
  t.match(await client.connects('emqx@n1'), { ok: true, source: 'prometheus' })
  t.equal(client.durableSessions, false)
  const p = await evacuator.start('x')
  t.match(p, { phase: 'done', connections: 0, sessions: 0, doneReason: /^(empty|prohibiting)$/ })
  t.equal(p.sessionsNote, undefined)
})
