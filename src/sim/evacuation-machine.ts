/** What `evacuation/start` asked for, in EMQX's field names. */
export interface EvacuationParams {
  readonly wait_health_check: number
  readonly conn_evict_rate: number
  readonly sess_evict_rate: number
  readonly wait_takeover: number
  readonly redirect_to: string
  readonly migrate_to: readonly string[]
}

export interface NodeCounts {
  connections: number
  sessions: number
  disconnectedSessions: number
  initialConnections: number
  initialSessions: number
}

/**
 * EMQX's evacuation states in order (emqx_node_rebalance_evacuation). 5.4+ starts in
 * waiting_health_check (503 while still accepting connections, so load balancers react first);
 * 4.4 and 5.0-5.3 start evicting at once. `prohibiting` lasts until the evacuation is stopped.
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

export function startEvacuationProcess (params: EvacuationParams, waitsHealthCheck: boolean, counts: NodeCounts, now: number): EvacuationProcess {
  const state = waitsHealthCheck ? 'waiting_health_check' : 'evicting_conns'
  return { kind: 'evacuation', state, params, phaseStartedAt: now, phaseStartCount: counts.connections }
}

/**
 * Moves an evacuation forward to simulated time `now`: phases end after their wait, evictions remove
 * `rate` connections (or disconnected sessions) per second. Evicted clients take their sessions with
 * them (they reconnect elsewhere and take over), so sessions = connections + disconnected sessions.
 * Mutates `counts` (the node's live numbers), returns the process as of `now`. Unknown states (set
 * by hand through setProcessState) do not move.
 */
export function advanceEvacuation (p: EvacuationProcess, counts: NodeCounts, now: number): EvacuationProcess {
  let cur = p
  for (let i = 0; i < EVACUATION_STATES.length; i++) {
    const { params: q, phaseStartedAt: start } = cur
    if (start === undefined) return cur
    const startCount = cur.phaseStartCount ?? 0
    const enter = (state: EvacuationState, at: number, count: number): EvacuationProcess => ({ ...cur, state, phaseStartedAt: at, phaseStartCount: count })
    switch (cur.state) {
      case 'waiting_health_check': {
        const end = start + q.wait_health_check * 1000
        if (now < end) return cur
        cur = enter('evicting_conns', end, counts.connections)
        continue
      }
      case 'evicting_conns': {
        counts.connections = Math.min(counts.connections, evictedDown(startCount, q.conn_evict_rate, now - start))
        counts.sessions = counts.connections + counts.disconnectedSessions
        if (counts.connections > 0) return cur
        cur = enter('waiting_takeover', Math.min(now, start + Math.ceil(startCount * 1000 / q.conn_evict_rate)), 0)
        continue
      }
      case 'waiting_takeover': {
        const end = start + q.wait_takeover * 1000
        if (now < end) return cur
        cur = enter('evicting_sessions', end, counts.disconnectedSessions)
        continue
      }
      case 'evicting_sessions': {
        counts.disconnectedSessions = Math.min(counts.disconnectedSessions, evictedDown(startCount, q.sess_evict_rate, now - start))
        counts.sessions = counts.connections + counts.disconnectedSessions
        if (counts.disconnectedSessions > 0) return cur
        cur = enter('prohibiting', Math.min(now, start + Math.ceil(startCount * 1000 / q.sess_evict_rate)), 0)
        continue
      }
      default:
        return cur
    }
  }
  return cur
}

function evictedDown (initial: number, ratePerS: number, elapsedMs: number): number {
  return Math.max(0, initial - Math.floor(ratePerS * Math.max(0, elapsedMs) / 1000))
}
