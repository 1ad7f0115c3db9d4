/** What `evacuation/start` asked for, in EMQX's field names. */
export interface EvacuationParams {
  readonly wait_health_check: number
  readonly conn_evict_rate: number
  readonly sess_evict_rate: number
  readonly wait_takeover: number
  readonly redirect_to: string
  readonly migrate_to: readonly string[]
}

/** What an evacuation start request's missing fields default to. */
export const DEFAULT_EVACUATION: EvacuationParams = {
  wait_health_check: 60,
  conn_evict_rate: 500,
  sess_evict_rate: 500,
  wait_takeover: 60,
  redirect_to: '',
  migrate_to: [],
}

export interface NodeCounts {
  /** EMQX's `client.connect` counter: every MQTT CONNECT that reached the node, refused ones too */
  connects: number
  connections: number
  /** every session the eviction agent counts: connections + disconnectedSessions + durableSessions */
  sessions: number
  disconnectedSessions: number
  /**
   * 5.8+: the cluster-wide count of disconnected durable sessions (emqx_persistent_session_bookkeeper), which
   * emqx_eviction_agent:session_count/0 adds and eviction cannot move: they live in storage. Absent: 0.
   */
  durableSessions?: number
  initialConnections: number
  initialSessions: number
}

/**
 * EMQX's evacuation states in order (emqx_node_rebalance_evacuation). e5.1+ (and 4.4.24+, whose release
 * notes speak of the wait health check phase) start in waiting_health_check (503 while still accepting
 * connections, so load balancers react first); e5.0.4 and older 4.4 start evicting at once. `prohibiting`
 * lasts until the evacuation is stopped; with durable sessions left (5.8+) `evicting_sessions` never ends.
 */
export const EVACUATION_STATES = ['waiting_health_check', 'evicting_conns', 'waiting_takeover', 'evicting_sessions', 'prohibiting'] as const
export type EvacuationState = (typeof EVACUATION_STATES)[number]

export interface EvacuationProcess {
  readonly kind: 'evacuation'
  readonly state: string
  readonly params: EvacuationParams
  /** simulated time (ms) at which `state` was entered; absent: a hand-made process that does not move */
  readonly phaseStartedAt?: number
  /** connections (evicting_conns) or disconnected sessions (evicting_sessions) when the phase began */
  readonly phaseStartCount?: number
}

export function startEvacuationProcess (
  params: EvacuationParams,
  waitsHealthCheck: boolean,
  counts: NodeCounts,
  now: number
): EvacuationProcess {
  const state = waitsHealthCheck ? 'waiting_health_check' : 'evicting_conns'
  return { kind: 'evacuation', state, params, phaseStartedAt: now, phaseStartCount: counts.connections }
}

/**
 * Moves an evacuation forward to simulated time `now`: phases end after their wait, evictions remove
 * `rate` connections (or disconnected sessions) per second. Evicted clients take their sessions with
 * them (they reconnect elsewhere and take over), so sessions = connections + disconnected sessions
 * (+ durable sessions, which nothing evicts: evicting_sessions then lasts, as EMQX's waits for a
 * session count of 0). Mutates `counts` (the node's live numbers), returns the process as of `now`.
 * Unknown states (set by hand through setProcessState) do not move.
 */
export function advanceEvacuation (p: EvacuationProcess, counts: NodeCounts, now: number): EvacuationProcess {
  let cur = p
  for (let i = 0; i < EVACUATION_STATES.length; i++) {
    const start = cur.phaseStartedAt
    if (start === undefined) return cur
    const next = step(cur, start, counts, now)
    if (next === cur) return cur
    cur = next
  }
  return cur
}

/** The two waits and the two evictions differ only in their numbers: one table, one step. */
type Phase = { readonly next: EvacuationState } & (
  | { readonly wait: (q: EvacuationParams) => number, readonly nextCount: (c: NodeCounts) => number }
  | { readonly evicts: 'connections' | 'disconnectedSessions', readonly rate: (q: EvacuationParams) => number })

// keyed by string: a state set by hand (setProcessState) may be any text, and such a process does not move
const PHASES = new Map<string, Phase>([
  ['waiting_health_check', { next: 'evicting_conns', wait: (q) => q.wait_health_check, nextCount: (c) => c.connections }],
  ['evicting_conns', { next: 'waiting_takeover', evicts: 'connections', rate: (q) => q.conn_evict_rate }],
  ['waiting_takeover', { next: 'evicting_sessions', wait: (q) => q.wait_takeover, nextCount: (c) => c.disconnectedSessions }],
  ['evicting_sessions', { next: 'prohibiting', evicts: 'disconnectedSessions', rate: (q) => q.sess_evict_rate }],
])

/** One phase forward, or `cur` itself when the phase has not ended by `now`. Mutates `counts`. */
function step (cur: EvacuationProcess, start: number, counts: NodeCounts, now: number): EvacuationProcess {
  const phase = PHASES.get(cur.state)
  if (phase === undefined) return cur
  const enter = (at: number, count: number): EvacuationProcess => (
    { ...cur, state: phase.next, phaseStartedAt: at, phaseStartCount: count }
  )
  if ('wait' in phase) {
    const end = start + phase.wait(cur.params) * 1000
    return now < end ? cur : enter(end, phase.nextCount(counts))
  }
  const startCount = cur.phaseStartCount ?? 0
  const rate = phase.rate(cur.params)
  counts[phase.evicts] = Math.min(counts[phase.evicts], evictedDown(startCount, rate, now - start))
  const durable = counts.durableSessions ?? 0
  counts.sessions = counts.connections + counts.disconnectedSessions + durable
  const left = counts[phase.evicts] + (phase.evicts === 'disconnectedSessions' ? durable : 0)
  return left > 0 ? cur : enter(Math.min(now, start + Math.ceil(startCount * 1000 / rate)), 0)
}

function evictedDown (initial: number, ratePerS: number, elapsedMs: number): number {
  return Math.max(0, initial - Math.floor(ratePerS * Math.max(0, elapsedMs) / 1000))
}
