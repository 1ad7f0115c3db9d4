import t, { type Test as T } from 'tap'
import pino from 'pino'
import { Writable } from 'node:stream'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxClient } from '../../src/emqx/client.js'
import type { AckChecker } from '../../src/checkers/rule.js'
import { evacuationDocument } from '../../src/http/views/status.js'
import { ackPort } from '../../src/ack/wait.js'
import { Evacuator } from '../../src/state/evacuator.js'
import type { EvacuationPhase } from '../../src/state/evacuation-types.js'
import { Monitor } from '../../src/state/monitor.js'
import { Store } from '../../src/state/store.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { startDouble, type EmqxDouble, type SimProfile } from '../support/emqx-double.js'
import { nextEvent } from '../support/wait.js'

/** a checker that keeps probing: seen "now" at every look */
const SEEN_NOW = Number.MAX_SAFE_INTEGER

/**
 * The evacuator with the acknowledged wait: a fake checker list stands in for the tracker (its public
 * `checkers(now)`), so each test decides exactly when the load balancers have been told.
 */
const WAIT_S = 10
const GRACE_MS = 100

async function setup (t: T, sim: EmqxDouble, checkers: { list: AckChecker[] }, flags: string[] = []) {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  const log = pino({ level: 'debug' }, sink)
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin', '--poll-interval', '50ms', '--emqx-timeout', '500ms',
    '--wait-health-check', `${WAIT_S}s`, '--evacuation-ack-grace', `${GRACE_MS}ms`, '--evacuation-wait-takeover', '1s', ...flags], { SIDECAR_EMQX_PASSWORD: 'public' })
  const client = new EmqxClient(config.emqx)
  const store = new Store(initialSnapshot(Date.now()))
  const monitor = new Monitor({ client, store, log, pollIntervalMs: config.pollIntervalMs, failureThreshold: config.failureThreshold })
  const evacuator = new Evacuator({ client, store, log, config: config.evacuation, pollIntervalMs: config.pollIntervalMs, ack: ackPort({ checkers: { checkers: () => checkers.list }, graceMs: config.evacuation.ack.graceMs, expect: config.evacuation.ack.expectCheckers, log }) })
  t.teardown(async () => { evacuator.cancel(); await evacuator.settled(); await monitor.stop(); await client.close() })
  monitor.start()
  await nextEvent(store, 'update', (s: { state: string, nodeName?: string }) => s.state === 'up' && s.nodeName !== undefined, 3000, 'up with a node name')
  const phases: EvacuationPhase[] = []
  store.on('update', (s) => { const p = s.overrides.evacuation?.phase; if (p !== undefined && phases.at(-1) !== p) phases.push(p) })
  return { store, evacuator, lines, phases }
}

const agent = (told: boolean): AckChecker => ({ kind: 'agent', source: '127.0.0.1', userAgent: '', told, lastSeen: SEEN_NOW })
const REST = { conn_evict_rate: 500, sess_evict_rate: 500, wait_takeover: 1 }
/** what EMQX receives once the drain was acknowledged: the smallest wait_health_check, or none where the field does not exist */
const ACKED_BODIES: Readonly<Record<string, readonly unknown[]>> = {
  v5: [{ wait_health_check: 0, ...REST }],
  'v5.0.4': [{ wait_health_check: 0, ...REST }, REST],
  // 4.4.24+ holds its own wait but takes a positive integer (validate_pos_int): 0 refused, asked again with 1
  'v4.4.24': [{ wait_health_check: 0, ...REST }, { wait_health_check: 1, ...REST }],
  // 4.4 before the field: Unknown evacuation param, whatever the value: asked without it, no retry with 1
  'v4.4': [{ wait_health_check: 0, ...REST }, REST],
}
/** the wait EMQX itself holds after the acknowledgement (/status wait_health_check_sent) */
const ACKED_WAIT: Readonly<Record<string, number>> = { v5: 0, 'v5.0.4': 0, 'v4.4.24': 1, 'v4.4': 0 }
/** the retry events per line */
const ACKED_EVENTS: Readonly<Record<string, readonly string[]>> = {
  v5: [],
  'v5.0.4': ['evacuation_no_wait_health_check'],
  'v4.4.24': ['evacuation_positive_wait_health_check'],
  'v4.4': ['evacuation_no_wait_health_check'],
}

for (const profile of ['v5', 'v5.0.4', 'v4.4.24', 'v4.4'] as SimProfile[]) {
  t.test(`${profile}: EMQX is asked only after the checker was told and the grace passed, with no wait of its own`, async (t) => {
    const sim = await startDouble(t, { profile, nodeName: 'emqx@n1', connections: 0 })
    const checkers = { list: [agent(false)] }
    const { store, evacuator, lines, phases } = await setup(t, sim, checkers)
    const run = evacuator.start('10.1.2.3')
    await nextEvent(store, 'update', (s: { overrides: { evacuation?: { phase: string } } }) => s.overrides.evacuation?.phase === 'awaiting_ack', 2000, 'awaiting_ack')
    t.match(store.current, { state: 'draining', overrides: { evacuation: { phase: 'awaiting_ack', ack: { stage: 'checkers', known: 1, told: 0, awaited: ['agent 127.0.0.1'] } } } })
    t.match(evacuationDocument(store.current.overrides.evacuation ?? t.fail('no evacuation') as never), { phase: 'awaiting_ack', acknowledgement: { stage: 'checkers', checkers_known: 1, checkers_told: 0, awaited: ['agent 127.0.0.1'], ended_by: null }, wait_health_check_sent: null }, '/status shows who is awaited')
    t.equal(sim.evacuationRequests.length, 0, 'EMQX not asked while a checker has not been told')
    const toldAt = Date.now()
    checkers.list = [agent(true)]
    await nextEvent(store, 'update', (s: { overrides: { evacuation?: { phase: string } } }) => s.overrides.evacuation?.phase === 'running', 5000, 'running')
    const askedAfter = Date.now() - toldAt
    t.ok(askedAfter >= GRACE_MS, `asked ${askedAfter}ms after the checker was told: not before the grace (${GRACE_MS}ms)`)
    t.ok(askedAfter < WAIT_S * 1000 / 2, 'long before the configured wait_health_check')
    t.same(sim.evacuationRequests.map((r) => r.body), ACKED_BODIES[profile], 'start bodies')
    const p = store.current.overrides.evacuation
    const waitS = ACKED_WAIT[profile]
    t.match(p, { ack: { stage: 'ended', endedBy: 'all_told', told: 1 }, waitHealthCheckS: waitS })
    if (p !== undefined) t.match(evacuationDocument(p), { acknowledgement: { stage: 'ended', ended_by: 'all_told', awaited: [] }, wait_health_check_sent: waitS, eviction_starts_at: /^\d{4}-/ }, '/status shows why the wait ended')
    t.same(lines.filter((l) => /^evacuation_(positive|no)_wait_health_check$/.test(String(l.event))).map((l) => l.event), ACKED_EVENTS[profile], 'retry events')
    if (profile === 'v4.4') t.match(lines.find((l) => l.event === 'evacuation_no_wait_health_check'), { msg: /refused wait_health_check \(EMQX 4\.4\): already held here/ }, 'an unknown field is not asked again with 1')
    t.ok((p?.evictionStartsAt ?? 0) - (p?.startedAt ?? 0) < WAIT_S * 1000 / 2, 'eviction starts right after the acknowledgement')
    t.same(phases.slice(0, 3), ['starting', 'awaiting_ack', 'starting'])
    t.notOk(lines.some((l) => l.event === 'evacuation_wait'), 'no second, blind hold on lines without wait_health_check')
    t.same(lines.filter((l) => String(l.event).startsWith('evacuation_ack') || l.event === 'evacuation_awaiting_ack').map((l) => l.event), ['evacuation_awaiting_ack', 'evacuation_ack_grace', 'evacuation_ack_ended'])
    evacuator.cancel()
    await run
  })
}

t.test('no checker seen: EMQX gets the configured wait_health_check at once (never shortened)', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', nodeName: 'emqx@n1' })
  const { store, evacuator, lines, phases } = await setup(t, sim, { list: [] })
  const run = evacuator.start('x')
  await nextEvent(store, 'update', (s: { overrides: { evacuation?: { phase: string } } }) => s.overrides.evacuation?.phase === 'running', 3000, 'running')
  t.same(sim.evacuationRequests.map((r) => r.body), [{ wait_health_check: WAIT_S, ...REST }])
  t.match(store.current.overrides.evacuation, { ack: { stage: 'ended', endedBy: 'no_checkers' }, waitHealthCheckS: WAIT_S })
  t.notOk(phases.includes('awaiting_ack'))
  t.ok(lines.some((l) => l.event === 'evacuation_ack_ended' && l.endedBy === 'no_checkers'))
  evacuator.cancel()
  await run
})

t.test('--evacuation-ack off: told checkers change nothing, EMQX waits the configured time', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', nodeName: 'emqx@n1' })
  const { store, evacuator } = await setup(t, sim, { list: [agent(true)] }, ['--evacuation-ack', 'off'])
  const run = evacuator.start('x')
  await nextEvent(store, 'update', (s: { overrides: { evacuation?: { phase: string } } }) => s.overrides.evacuation?.phase === 'running', 3000, 'running')
  t.same(sim.evacuationRequests.map((r) => r.body), [{ wait_health_check: WAIT_S, ...REST }])
  t.equal(store.current.overrides.evacuation?.ack, undefined)
  evacuator.cancel()
  await run
})

t.test('stop during the wait: EMQX is never asked to start', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', nodeName: 'emqx@n1' })
  const { store, evacuator } = await setup(t, sim, { list: [agent(false)] })
  const run = evacuator.start('x')
  await nextEvent(store, 'update', (s: { overrides: { evacuation?: { phase: string } } }) => s.overrides.evacuation?.phase === 'awaiting_ack', 2000, 'awaiting_ack')
  t.match(await evacuator.stop('x'), { ok: true, already: true })
  await run
  t.same(sim.evacuationRequests.map((r) => r.op), ['stop'])
})

t.test('the evacuation deadline passes during the wait: EMQX is not asked to evict, the deadline is reported', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', nodeName: 'emqx@n1' })
  const { evacuator, lines } = await setup(t, sim, { list: [agent(false)] }, ['--evacuation-timeout', '1s'])
  const p = await evacuator.start('x')
  t.match(p, { phase: 'deadline', ack: { endedBy: 'max_reached' } })
  t.same(sim.evacuationRequests, [], 'EMQX never asked')
  t.ok(lines.some((l) => l.event === 'evacuation_deadline'))
})
