import { parseJsonObject } from './parse.js'

/** Local rebalance/evacuation status (`GET .../load_rebalance/status`), only the documented fields, type-checked. */
export interface RebalanceStats {
  readonly initial_connected?: number
  readonly current_connected?: number
  readonly initial_sessions?: number
  readonly current_sessions?: number
  readonly current_disconnected_sessions?: number
}

export interface LocalRebalance {
  readonly status: 'enabled' | 'disabled'
  readonly process?: string
  readonly state?: string
  readonly coordinator_node?: string
  readonly connection_eviction_rate?: number
  readonly session_eviction_rate?: number
  readonly connection_goal?: number
  readonly session_goal?: number
  readonly disconnected_session_goal?: number
  readonly recipients?: readonly string[]
  readonly session_recipients?: readonly string[]
  readonly stats?: RebalanceStats
}

const STRING_FIELDS = ['process', 'state', 'coordinator_node'] as const
const NUMBER_FIELDS = [
  'connection_eviction_rate', 'session_eviction_rate', 'connection_goal', 'session_goal', 'disconnected_session_goal',
] as const
const LIST_FIELDS = ['recipients', 'session_recipients'] as const
const STAT_FIELDS = [
  'initial_connected', 'current_connected', 'initial_sessions', 'current_sessions', 'current_disconnected_sessions',
] as const

export function pickFields (json: Record<string, unknown>): Omit<LocalRebalance, 'status'> {
  const out: Record<string, unknown> = {}
  for (const f of STRING_FIELDS) if (typeof json[f] === 'string') out[f] = json[f]
  for (const f of NUMBER_FIELDS) if (typeof json[f] === 'number') out[f] = json[f]
  for (const f of LIST_FIELDS) {
    const list = json[f]
    if (Array.isArray(list)) out[f] = list.filter((x): x is string => typeof x === 'string')
  }
  const stats = json.stats
  if (typeof stats === 'object' && stats !== null) {
    const s: Record<string, number> = {}
    for (const f of STAT_FIELDS) {
      const n = (stats as Record<string, unknown>)[f]
      if (typeof n === 'number') s[f] = n
    }
    out.stats = s
  }
  return out
}

/** Returns undefined when the body is not a rebalance status answer. */
export function parseLocalRebalance (body: string): LocalRebalance | undefined {
  const json = parseJsonObject(body)
  if (json === undefined) return undefined
  if (json.status === 'disabled') return { status: 'disabled' }
  if (json.status !== 'enabled') return undefined
  return { status: 'enabled', ...pickFields(json) }
}

/**
 * The local status `state`s in which EMQX is evicting this node's clients: a rebalance donor's
 * (`wait_health_check` -> evicting_conns -> wait_takeover -> evicting_sessions, emqx_node_rebalance.erl) and an
 * evacuation's (`waiting_health_check` -> evicting_conns -> waiting_takeover -> evicting_sessions -> prohibiting,
 * emqx_node_rebalance_evacuation.erl). Everything before them is the health-check wait. The one set the
 * arrival evidence and the rebalance watch read (src/ack/evidence.ts, src/ack/rebalance-watch.ts).
 */
const EVICTING_STATES: ReadonlySet<string> = new Set([
  'evicting_conns', 'wait_takeover', 'waiting_takeover', 'evicting_sessions', 'prohibiting',
])

/** Whether a local status `state` is one in which EMQX evicts connections or sessions (see above). */
export function isEvictingState (state: string | undefined): boolean {
  return state !== undefined && EVICTING_STATES.has(state)
}
