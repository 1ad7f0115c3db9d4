import { parseJsonObject } from './parse.js'
import { pickFields, type LocalRebalance } from './rebalance.js'

/**
 * Cluster-wide view from `GET .../load_rebalance/global_status` (5.x and 4.4; 4.4 has no `purges`). 5.x
 * sends lists of entries with a `node` field (`format_as_map_list/1`); the 4.4 code of 2022 sends maps keyed
 * by node (`maps:from_list/1` of `{Node, Status}`, which minirest renders as they are), the operator parses
 * lists; neither is verifiable for 4.4.12+, so both are read (`entries`).
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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A list of entries with a `node` field, or a map keyed by node (an entry's own `node` wins); entries not objects left out. */
function entries (v: unknown): Array<Record<string, unknown> & { node: string }> {
  const keyed = (m: Record<string, unknown>): Array<Record<string, unknown>> =>
    Object.entries(m).flatMap(([node, r]) => (isRecord(r) ? [{ node, ...r }] : []))
  const list = Array.isArray(v) ? v.filter(isRecord) : isRecord(v) ? keyed(v) : []
  return list.filter((r): r is Record<string, unknown> & { node: string } => typeof r.node === 'string')
}

function nodeProcesses (v: unknown): NodeProcess[] {
  return entries(v).map((rec) => ({ node: rec.node, ...pickFields(rec) }))
}

/** The numbers kept from a global_status rebalance entry, each when present. */
const REBALANCE_NUMBERS = [
  'connection_eviction_rate', 'session_eviction_rate', 'connection_goal', 'disconnected_session_goal', 'donor_conn_avg', 'donor_sess_avg',
] as const

function rebalances (v: unknown): ClusterRebalance[] {
  const out: ClusterRebalance[] = []
  for (const r of entries(v)) {
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
  const shaped = (v: unknown): boolean => Array.isArray(v) || isRecord(v)
  if (json === undefined || (!shaped(json.evacuations) && !shaped(json.rebalances))) return undefined
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
