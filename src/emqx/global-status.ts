import { parseJsonObject } from './parse.js'
import { pickFields, type LocalRebalance } from './rebalance.js'

/**
 * Cluster-wide view from `GET .../load_rebalance/global_status` (5.x and 4.4; 4.4 has no `purges`).
 * In EMQX's coordinator status, `connection_goal` is the recipients' average connection count and
 * `disconnected_session_goal` the recipients' average count of *disconnected* sessions
 * (apps/emqx_node_rebalance/src/emqx_node_rebalance_status.erl), so the balance condition can be
 * evaluated from this answer alone.
 */
export interface NodeProcess extends Omit<LocalRebalance, 'status'> { readonly node: string }

export interface ClusterRebalance {
  readonly node: string
  readonly state?: string
  readonly coordinator_node?: string
  readonly donors: readonly string[]
  readonly recipients: readonly string[]
  readonly connection_eviction_rate?: number
  readonly session_eviction_rate?: number
  /** recipients' average connections */
  readonly connection_goal?: number
  /** recipients' average disconnected sessions */
  readonly disconnected_session_goal?: number
  readonly donor_conn_avg?: number
  /** donors' average disconnected sessions */
  readonly donor_sess_avg?: number
}

export interface ClusterStatus {
  readonly evacuations: readonly NodeProcess[]
  readonly purges: readonly NodeProcess[]
  readonly rebalances: readonly ClusterRebalance[]
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

function nodeProcesses (v: unknown): NodeProcess[] {
  if (!Array.isArray(v)) return []
  const out: NodeProcess[] = []
  for (const item of v) {
    if (typeof item !== 'object' || item === null) continue
    const rec = item as Record<string, unknown>
    if (typeof rec.node !== 'string') continue
    out.push({ node: rec.node, ...pickFields(rec) })
  }
  return out
}

/** The numbers kept from a global_status rebalance entry, each when present. */
const REBALANCE_NUMBERS = [
  'connection_eviction_rate', 'session_eviction_rate', 'connection_goal', 'disconnected_session_goal', 'donor_conn_avg', 'donor_sess_avg',
] as const

function rebalances (v: unknown): ClusterRebalance[] {
  if (!Array.isArray(v)) return []
  const out: ClusterRebalance[] = []
  for (const item of v) {
    if (typeof item !== 'object' || item === null) continue
    const r = item as Record<string, unknown>
    if (typeof r.node !== 'string') continue
    const entry: Record<string, unknown> = { node: r.node, donors: strings(r.donors), recipients: strings(r.recipients) }
    for (const k of ['state', 'coordinator_node'] as const) if (typeof r[k] === 'string') entry[k] = r[k]
    for (const k of REBALANCE_NUMBERS) {
      const n = num(r[k])
      if (n !== undefined) entry[k] = n
    }
    out.push(entry as unknown as ClusterRebalance)
  }
  return out
}

/** Returns undefined when the body is not a global_status answer. */
export function parseGlobalStatus (body: string): ClusterStatus | undefined {
  const json = parseJsonObject(body)
  if (json === undefined || (!Array.isArray(json.evacuations) && !Array.isArray(json.rebalances))) return undefined
  return { evacuations: nodeProcesses(json.evacuations), purges: nodeProcesses(json.purges), rebalances: rebalances(json.rebalances) }
}

export interface Thresholds { readonly abs: number, readonly rel: number }

/**
 * EMQX's balance condition (apps/emqx_node_rebalance/src/emqx_node_rebalance.erl, non-strict `=<`):
 * avg(donor) =< avg(recipient) + abs_threshold or avg(donor) =< avg(recipient) * rel_threshold.
 * Undefined while EMQX has not reported both averages (they appear once eviction starts).
 */
export function isBalanced (donorAvg: number | undefined, recipientAvg: number | undefined, t: Thresholds): boolean | undefined {
  if (donorAvg === undefined || recipientAvg === undefined) return undefined
  return donorAvg <= recipientAvg + t.abs || donorAvg <= recipientAvg * t.rel
}
