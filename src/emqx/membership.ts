import { parseJsonObject } from './parse.js'

/**
 * This node's view of its cluster, read from EMQX (docs/emqx-compatibility.md, "Cluster membership"). Pure parsers.
 *
 * - 5.x (e5.0.4 .. master): `GET /api/v5/cluster` answers `{"name", "nodes", "self"}` (plus `description` from 5.8),
 *   where `nodes` is `emqx:running_nodes()`: mria's running cores and running replicants as this node sees them,
 *   and `self` is `node()` (apps/emqx_management/src/emqx_mgmt_api_cluster.erl `get_cluster_info/0`).
 * - 5.x from e5.1.1 (open-source 5.2.0): `GET /api/v5/cluster/topology` answers
 *   `[{"core_node", "replicant_nodes": [{"node", "streams"}]}]`, one entry per *running core* in this node's view
 *   (`running_cores/0` in the same file). A core always lists itself, so an empty list is a replicant that sees no core.
 * - 4.4: `GET /api/v4/nodes` answers `{"code":0,"data":[...]}`: one entry per node of mnesia's `running_db_nodes`
 *   (`{"node", "node_status":"Running", ...}`, or `{"node", "error"}` when the RPC for its details failed) and one
 *   `{"name", "node_status":"Stopped"}` per known node not running (apps/emqx_management/src/emqx_mgmt.erl `list_nodes/0`).
 */
export interface ClusterInfo {
  readonly name?: string
  /** running nodes in this node's view */
  readonly nodes: readonly string[]
  readonly self: string
}

/** One running core of the topology and the replicants connected to it. */
export interface TopologyCore { readonly core: string, readonly replicants: readonly string[] }

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const nodeNames = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((n) => typeof n === 'string') ? v : undefined

/** `GET /api/v5/cluster`; undefined when the body is not that answer. */
export function parseClusterInfo (body: string): ClusterInfo | undefined {
  const doc = parseJsonObject(body)
  const nodes = nodeNames(doc?.nodes)
  if (doc === undefined || nodes === undefined || typeof doc.self !== 'string') return undefined
  return { ...(typeof doc.name === 'string' ? { name: doc.name } : {}), nodes, self: doc.self }
}

/** `GET /api/v5/cluster/topology`; undefined when the body is not that answer. */
export function parseTopology (body: string): TopologyCore[] | undefined {
  let doc: unknown
  try { doc = JSON.parse(body) } catch { return undefined }
  if (!Array.isArray(doc)) return undefined
  const out: TopologyCore[] = []
  for (const e of doc) {
    if (!isRecord(e) || typeof e.core_node !== 'string') return undefined
    const reps = Array.isArray(e.replicant_nodes) ? e.replicant_nodes : []
    out.push({ core: e.core_node, replicants: reps.flatMap((r) => (isRecord(r) && typeof r.node === 'string' ? [r.node] : [])) })
  }
  return out
}

/** 4.4's `GET /api/v4/nodes`: the running nodes (an entry whose details failed is still in mnesia's running list) and the stopped. */
export function parseV4Nodes (body: string): { running: string[], stopped: string[] } | undefined {
  const doc = parseJsonObject(body)
  if (doc === undefined || doc.code !== 0 || !Array.isArray(doc.data)) return undefined
  const running: string[] = []
  const stopped: string[] = []
  for (const e of doc.data) {
    if (!isRecord(e)) continue
    if (e.node_status === 'Stopped' && typeof e.name === 'string') stopped.push(e.name)
    else if (typeof e.node === 'string' && (e.node_status === 'Running' || 'error' in e)) running.push(e.node)
  }
  return { running, stopped }
}

/** What the sidecar keeps of one read of the view. */
export interface MembershipView {
  /** this node (5.x `self`; 4.4: the node name of the node status) */
  readonly self?: string
  readonly clusterName?: string
  /** running nodes in this node's view, itself included (it answered), sorted */
  readonly running: readonly string[]
  /** 4.4: nodes the cluster knows that are not running */
  readonly stopped?: readonly string[]
  /** the running cores this node sees (topology); undefined where the topology is not known */
  readonly cores?: readonly string[]
  /** core or replicant, from the topology; undefined where not known */
  readonly role?: 'core' | 'replicant'
  /** why the topology is not known (absent before e5.1.1, on 4.4, or unreadable) */
  readonly topologyNote?: string
}

/** Combines the answers into a view. Pure. */
export function membershipView (o: {
  readonly running: readonly string[]
  readonly self?: string
  readonly clusterName?: string
  readonly stopped?: readonly string[]
  readonly topology?: readonly TopologyCore[]
  readonly topologyNote?: string
}): MembershipView {
  const running = [...new Set([...o.running, ...(o.self !== undefined ? [o.self] : [])])].sort()
  const t = o.topology
  const self = o.self
  const role = t === undefined || self === undefined
    ? undefined
    : t.some((c) => c.core === self) ? 'core' : t.length === 0 || t.some((c) => c.replicants.includes(self)) ? 'replicant' : undefined
  return {
    ...(o.self !== undefined ? { self: o.self } : {}),
    ...(o.clusterName !== undefined ? { clusterName: o.clusterName } : {}),
    running,
    ...(o.stopped !== undefined ? { stopped: [...o.stopped].sort() } : {}),
    ...(t !== undefined ? { cores: t.map((c) => c.core).sort() } : {}),
    ...(role !== undefined ? { role } : {}),
    ...(o.topologyNote !== undefined ? { topologyNote: o.topologyNote } : {}),
  }
}
