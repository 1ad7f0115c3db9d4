/**
 * What a simulated EMQX node is doing: nothing, an evacuation, a rebalance (as donor, recipient or
 * coordinator) or a purge; plus its connection/session counts. Plain data and pure answers, so the
 * simulator's HTTP layer only routes.
 */
import type { EvacuationProcess, NodeCounts } from './evacuation-machine.js'

export type { EvacuationParams, NodeCounts } from './evacuation-machine.js'

export type SimProcess =
  | { readonly kind: 'none' }
  | EvacuationProcess
  | {
    readonly kind: 'rebalance'
    readonly role: 'donor' | 'recipient' | 'coordinator'
    readonly state: string
    readonly coordinator: string
    readonly donors: readonly string[]
    readonly recipients: readonly string[]
  }
  | { readonly kind: 'purge', readonly state: string }

/** Does availability_check answer 503 for this process? (facts: donors, evacuating and purging nodes) */
export function unavailable (p: SimProcess): boolean {
  if (p.kind === 'none') return false
  if (p.kind === 'rebalance') return p.role === 'donor'
  return true
}

/** Rebalance states in which a donor evicts (and EMQX has computed the recipients' averages). */
const EVICTING = new Set(['evicting_conns', 'wait_takeover', 'evicting_sessions'])

/**
 * The local `load_rebalance/status` document, field for field as EMQX builds it
 * (apps/emqx_node_rebalance/src/emqx_node_rebalance_status.erl): an evacuation has no disconnected-session
 * fields and its `current_sessions` is the count from the start until `evicting_sessions` (only that state
 * refreshes it); a purge's stats hold only session counts; a donor's goals appear once eviction starts.
 */
export function localStatus (p: SimProcess, c: NodeCounts): Record<string, unknown> {
  switch (p.kind) {
    case 'none': return { status: 'disabled' }
    case 'evacuation': {
      const fresh = p.state === 'evicting_sessions' || p.state === 'prohibiting'
      return {
        status: 'enabled',
        process: 'evacuation',
        state: p.state,
        connection_eviction_rate: p.params.conn_evict_rate,
        session_eviction_rate: p.params.sess_evict_rate,
        connection_goal: 0,
        session_goal: 0,
        session_recipients: p.params.migrate_to,
        stats: {
          initial_connected: c.initialConnections,
          current_connected: c.connections,
          initial_sessions: c.initialSessions,
          current_sessions: fresh ? c.sessions : c.initialSessions,
        },
      }
    }
    case 'purge':
      return {
        status: 'enabled',
        process: 'purge',
        state: p.state,
        purge_rate: 500,
        session_goal: 0,
        stats: { initial_sessions: c.initialSessions, current_sessions: c.sessions },
      }
    case 'rebalance':
      if (p.role !== 'donor') return { status: 'disabled' }
      return {
        status: 'enabled',
        process: 'rebalance',
        state: p.state,
        coordinator_node: p.coordinator,
        connection_eviction_rate: 500,
        connection_eviction_rpc_timeout: 15,
        session_eviction_rate: 500,
        session_eviction_rpc_timeout: 15,
        recipients: p.recipients,
        stats: {
          initial_connected: c.initialConnections,
          initial_sessions: c.initialSessions,
          current_connected: c.connections,
          current_sessions: c.sessions,
          current_disconnected_sessions: c.disconnectedSessions,
        },
        ...(EVICTING.has(p.state) ? { connection_goal: Math.floor(c.initialConnections / 2), disconnected_session_goal: 0 } : {}),
      }
  }
}

/** The cluster-wide `global_status` document as this single node sees it. 4.4 has no `purges`. */
export function globalStatus (node: string, p: SimProcess, c: NodeCounts, api: 'v4' | 'v5'): Record<string, unknown> {
  const entry = (): Record<string, unknown> => { const { status: _s, process: _p, ...rest } = localStatus(p, c); return { node, ...rest } }
  const evacuations = p.kind === 'evacuation' ? [entry()] : []
  const rebalances = p.kind === 'rebalance'
    ? [{
        node: p.coordinator,
        state: p.state,
        coordinator_node: p.coordinator,
        donors: p.donors,
        recipients: p.recipients,
        connection_eviction_rate: 500,
        connection_eviction_rpc_timeout: 15,
        session_eviction_rate: 500,
        session_eviction_rpc_timeout: 15,
        ...(EVICTING.has(p.state)
          ? {
              connection_goal: Math.floor(c.initialConnections / 2),
              disconnected_session_goal: 0,
              donor_conn_avg: c.connections,
              donor_sess_avg: c.disconnectedSessions,
            }
          : {}),
      }]
    : []
  const doc: Record<string, unknown> = { evacuations, rebalances }
  if (api === 'v5') doc.purges = p.kind === 'purge' ? [entry()] : []
  return doc
}
