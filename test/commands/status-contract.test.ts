import t from 'tap'
import { pino } from 'pino'
import { ArrivalWatch } from '../../src/ack/arrivals.js'
import { parseSidecarStatus } from '../../src/commands/status.js'
import { formatStatus } from '../../src/commands/status-format.js'
import { statusDocument } from '../../src/http/views/status.js'
import { drainAckHarness } from '../support/drain-ack.js'
import type { Snapshot } from '../../src/state/model.js'

// The command reads what the server writes: one type (src/http/status-types.ts) for both, and this
// test renders a snapshot with the server's own function, sends it through JSON and the command's
// parser, and checks that every section reaches the text.
const T0 = Date.parse('2026-01-01T00:00:00.000Z')
const snapshot: Snapshot = {
  state: 'draining',
  reason: 'evacuation',
  message: 'evacuating',
  since: T0,
  emqxAnswered: true,
  consecutiveFailures: 2,
  lastSuccessAt: T0,
  lastCheck: { at: T0 + 1000, durationMs: 12.345, outcome: 'failure', failureReason: 'timeout', detail: 'no complete answer' },
  api: { version: 'v5', base: new URL('http://127.0.0.1:18083'), mode: 'rebalance' },
  nodeName: 'emqx@n1',
  rebalance: { status: 'enabled', process: 'evacuation', state: 'evicting_conns', connection_eviction_rate: 50, session_eviction_rate: 10, recipients: ['emqx@n2'], stats: { initial_connected: 100, current_connected: 40, initial_sessions: 90, current_sessions: 41 } },
  observed: { state: 'draining', reason: 'emqx_unavailable', message: 'EMQX says donor' },
  overrides: {
    manualDrain: { since: T0, by: '10.0.0.1' },
    evacuation: {
      phase: 'awaiting_ack',
      by: '127.0.0.1',
      startedAt: T0,
      deadlineAt: T0 + 60_000,
      emqxState: 'waiting_health_check',
      connections: 40,
      sessions: 41,
      ack: { stage: 'checkers', expect: 2, known: 1, told: 0, awaited: ['http 10.0.0.5 "HAProxy"'], maxAt: T0 + 30_000 },
    },
    notInCluster: { since: T0, message: 'this node sees 1 of 3 expected running nodes, not a majority' },
  },
  membership: {
    verdict: 'minority',
    drains: true,
    message: 'still draining on the last view',
    expect: 3,
    view: { self: 'emqx@n1', running: ['emqx@n1'], cores: ['emqx@n1'], role: 'core' },
    viewAt: T0,
    error: '/api/v5/cluster: EMQX answered 500',
    failures: 1,
  },
  cluster: {
    evacuations: [{ node: 'emqx@n3', state: 'evicting_sessions', stats: { initial_connected: 5, current_connected: 1, initial_sessions: 6, current_sessions: 2 } }],
    purges: [{ node: 'emqx@n4', state: 'purging' }],
    rebalances: [{ node: 'emqx@n1', state: 'evicting_conns', coordinator_node: 'emqx@n1', donors: ['emqx@n1'], recipients: ['emqx@n2'], connection_goal: 30, disconnected_session_goal: 3, donor_conn_avg: 40, donor_sess_avg: 4 }],
  },
  clusterAt: T0,
}

t.test('the status command formats exactly what the server renders, every section', async (t) => {
  // the tracker and the drain's acknowledgement wired as main.ts wires them (the drain starts in their store)
  const { store, tracker, ack, drain } = drainAckHarness()
  const now = Date.now()
  // EMQX's CONNECT counter wired as main.ts wires it: 2 CONNECTs/s before the drain, 4 more after it began
  let clock = now - 60_000
  let connects = 1000
  const arrivals = new ArrivalWatch({
    read: async () => ({ ok: true, count: connects, source: 'prometheus' }),
    store,
    log: pino({ level: 'silent' }),
    pollIntervalMs: 1000,
    baselineMs: 15_000,
    graceMs: 1000,
    now: () => clock,
  })
  for (let i = 0; i < 4; i++) { clock = now - 60_000 + i * 15_000; connects += 30; await arrivals.readNow() }
  // a load balancer: it has probed more than once or twice (the status command lists fewer apart)
  for (const at of [now - 4000, now - 3000, now - 2000]) tracker.observe({ source: '10.0.0.5', kind: 'http', userAgent: 'HAProxy', available: true, answer: '200', at })
  clock = now - 1500
  drain(now - 1500)
  await arrivals.readNow()
  clock = now - 500
  connects += 4
  await arrivals.readNow()
  clock = now
  await arrivals.readNow()
  tracker.observe({ source: '10.0.0.5', kind: 'http', userAgent: 'HAProxy', available: false, answer: '503', at: now - 1000 })
  const cluster = { intervalMs: 1000, expectSize: 3, conn: { abs: 1000, rel: 1.1 }, sess: { abs: 1000, rel: 1.1 } }
  const rendered = statusDocument(snapshot, now, { tracker, drainAck: ack, arrivals, cluster, agent: { rampMs: 20_000, drainWord: 'maint' } })
  const received = parseSidecarStatus(JSON.stringify(rendered, null, 2))
  if (received === undefined) return t.fail('the server\'s own document is not taken for a sidecar /status')
  const text = formatStatus(received)
  t.equal(text, formatStatus(rendered), 'nothing is lost on the wire')
  const lines = [
    /^Node emqx@n1: DRAINING \(no new connections\) since 2026-01-01T00:00:00\.000Z \(\d+s\)$/m,
    /^ {2}reason: evacuation: evacuating$/m,
    /^ {2}EMQX API: v5 rebalance at http:\/\/127\.0\.0\.1:18083\/; last check 2026-01-01T00:00:01\.000Z failure in 12\.35ms; 2 failures in a row \(timeout\)$/m,
    /^ {2}agent-check answers: up maint #draining evacuation$/m,
    /^ {2}manual drain: on since 2026-01-01T00:00:00\.000Z \(by 10\.0\.0\.1\)/m,
    /^ {2}evacuation \(requested by 127\.0\.0\.1 at 2026-01-01T00:00:00\.000Z\): awaiting_ack, EMQX state waiting_health_check, 40 connections and 41 sessions left, deadline 2026-01-01T00:01:00\.000Z$/m,
    /^ {4}load balancers: awaiting acknowledgement: 0\/1 checkers told \(2 expected\); still awaited: http 10\.0\.0\.5 "HAProxy"; at most until 2026-01-01T00:00:30\.000Z$/m,
    /^ {2}not in cluster since 2026-01-01T00:00:00\.000Z: this node sees 1 of 3 expected running nodes, not a majority$/m,
    /^ {2}EMQX alone says: draining \(emqx_unavailable\)$/m,
    /^Local rebalance \(this node's own status, read with each check\): evacuation, state: evicting_conns$/m,
    /^Cluster view \(EMQX's global_status, read \d+s ago; it can lag the node's own status above\):$/m,
    /^ {2}eviction rates: 50 connections\/s, 10 sessions\/s$/m,
    /^ {2}recipients: emqx@n2$/m,
    /^ {2}connections 40\/100, sessions 41\/90$/m,
    /^Load balancer checkers: 1$/m,
    /^ {2}drain since \S+Z: 0\/1 checkers told; acknowledged: no$/m,
    /^ {2}http 10\.0\.0\.5 "HAProxy": every 1000ms, fall 3, last answer 503, told: no \(1 drain answers\)$/m,
    /^Arrivals \(EMQX's CONNECT counter, GET \/api\/v5\/prometheus\/stats\): CONNECTs still arrive; usual rate 2 CONNECTs\/s, 4\/s during the drain, quiet window 1\.3s$/m,
    /^ {2}since the drain began at \S+Z: 4 CONNECTs; last arrival \S+Z; quiet for 0\.5s \(read at \S+Z\)$/m,
    /^Cluster evacuation on emqx@n3: evicting_sessions; connections 1\/5, sessions 2\/6$/m,
    /^Cluster purge on emqx@n4: purging$/m,
    /^Cluster rebalance coordinated by emqx@n1: evicting_conns$/m,
    /^ {2}donors: emqx@n1; recipients: emqx@n2$/m,
    /^Cluster membership \(core\): minority, DRAINING: still draining on the last view$/m,
    /^ {2}running in its view \(1 of 3 expected\): emqx@n1$/m,
    /^ {2}running cores it sees: emqx@n1$/m,
    /^ {2}last read failed \(1 in a row\): \/api\/v5\/cluster: EMQX answered 500$/m,
    /^ {2}avg connections donor 40 vs recipient 30: balanced yes; avg disconnected sessions donor 4 vs recipient 3: balanced yes$/m,
  ]
  for (const line of lines) t.match(text, line)
})
