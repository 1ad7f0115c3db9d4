/**
 * What a simulated EMQX node is doing: nothing, an evacuation, a rebalance (as donor, recipient or
 * coordinator) or a purge; plus its connection/session counts. Plain data and pure answers, so the
 * simulator's HTTP layer only routes.
 */
import type { EvacuationProcess, NodeCounts } from './evacuation-machine.js'

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
  /** `coordinator`: the node running the purge (emqx_node_rebalance_purge); the others only have the agent enabled */
  | { readonly kind: 'purge', readonly state: string, readonly coordinator: string }

/** Does availability_check answer 503 for this process? (facts: donors, evacuating and purging nodes) */
export function unavailable (p: SimProcess): boolean {
  if (p.kind === 'none') return false
  if (p.kind === 'rebalance') return p.role === 'donor'
  return true
}

/** The simulated cluster's other node (the default peer of the rebalance roles, the default session recipient). */
export const OTHER_NODE = 'emqx2@127.0.0.1'

/**
 * Rebalance states from which EMQX has the connection averages (`connection_goal`, `donor_conn_avg`: set by
 * evict_conns/1 in emqx_node_rebalance.erl); the session averages (`disconnected_session_goal`, `donor_sess_avg`)
 * only come with evict_sessions/1, in evicting_sessions, the last state before the rebalance ends.
 */
const EVICTING = new Set(['evicting_conns', 'wait_takeover', 'evicting_sessions'])

/**
 * The local `load_rebalance/status` document, field for field as EMQX builds it
 * (apps/emqx_node_rebalance/src/emqx_node_rebalance_status.erl): an evacuation has no disconnected-session
 * fields and its `current_sessions` is the count from the start until `evicting_sessions` (only that state
 * refreshes it); a purge's stats hold only session counts; a donor's connection_goal appears once eviction
 * starts, its disconnected_session_goal in evicting_sessions only.
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
        // migrate_to(MigrateTo): the nodes sessions go to, every other available node when none was given;
        // the double's cluster has one other node, as its rebalance roles do
        session_recipients: p.params.migrate_to.length > 0 ? p.params.migrate_to : [OTHER_NODE],
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
        ...(EVICTING.has(p.state) ? { connection_goal: Math.floor(c.initialConnections / 2) } : {}),
        ...(p.state === 'evicting_sessions' ? { disconnected_session_goal: 0 } : {}),
      }
  }
}

/**
 * A node other than the purge's coordinator during a purge: `local_status/0` finds no local process, asks the
 * rebalance agent's coordinator (the purge) for a rebalance status and crashes in `local_rebalance/2`, which has
 * no clause for a status without `donors` (emqx_node_rebalance_status.erl, e5.2 to master): that endpoint
 * answers 500. On e5.1-5.3 availability_check reads local_status/0 too; from 5.4 it reads the eviction agent.
 */
export function purgeCrashes (p: SimProcess, node: string): boolean {
  return p.kind === 'purge' && p.coordinator !== node
}

/** The 500 of a crashed handler (its body near enough: the sidecar reads only the status). */
export const CRASH_BODY = { code: 'INTERNAL_ERROR', message: 'error: function_clause in emqx_node_rebalance_status:local_rebalance/2' }

/** The cluster-wide `global_status` document as this single node sees it. 4.4 has no `purges`. */
export function globalStatus (node: string, p: SimProcess, c: NodeCounts, api: 'v4' | 'v5'): Record<string, unknown> {
  const entry = (): Record<string, unknown> => {
    const { status: _s, process: _p, ...rest } = localStatus(p.kind === 'purge' ? { ...p, coordinator: node } : p, c)
    return { node: p.kind === 'purge' ? p.coordinator : node, ...rest }
  }
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
        ...(EVICTING.has(p.state) ? { connection_goal: Math.floor(c.initialConnections / 2), donor_conn_avg: c.connections } : {}),
        ...(p.state === 'evicting_sessions' ? { disconnected_session_goal: 0, donor_sess_avg: c.disconnectedSessions } : {}),
      }]
    : []
  const doc: Record<string, unknown> = { evacuations, rebalances }
  if (api === 'v5') doc.purges = p.kind === 'purge' ? [entry()] : []
  return doc
}
