/**
 * The simulated node's cluster as it sees it: its peers, its role, and which peers it sees running (all of them
 * until it is cut off). Plain data and pure answers, field for field as EMQX builds them
 * (apps/emqx_management/src/emqx_mgmt_api_cluster.erl, apps/emqx_management/src/emqx_mgmt.erl at v4.4; docs/emqx-compatibility.md).
 */
export interface SimCluster {
  readonly self: string
  /** core or replicant; the peers are cores */
  readonly role: 'core' | 'replicant'
  /** the other nodes of the cluster */
  readonly peers: readonly string[]
  /** the peers this node sees running now */
  readonly seen: readonly string[]
}

/** `emqx:running_nodes()` here: this node and the peers it sees (mria's `lists:usort/1`: sorted). */
export function runningNodes (c: SimCluster): string[] {
  return [...new Set([c.self, ...c.seen])].sort()
}

/** `GET /api/v5/cluster` (`get_cluster_info/0`; 6.0 adds `description`, not played here). */
export function clusterInfo (c: SimCluster): Record<string, unknown> {
  return { name: 'emqxcl', nodes: runningNodes(c), self: c.self }
}

/**
 * `GET /api/v5/cluster/topology`: one entry per running core this node sees (`running_cores/0`), each with the
 * replicants connected to it. A core sees itself; a replicant cut off from every core sees none: `[]`.
 */
export function clusterTopology (c: SimCluster): Array<Record<string, unknown>> {
  const cores = c.role === 'core' ? runningNodes(c) : [...c.seen].sort()
  return cores.map((core, i) => ({
    core_node: core,
    replicant_nodes: c.role === 'replicant' && i === 0 ? [{ node: c.self, streams: 10 }] : [],
  }))
}

/**
 * 4.4's `GET /api/v4/nodes` (`list_nodes/0`): the running db nodes with their details, then the known nodes not
 * running as `{"name","node_status":"Stopped"}` (a cut-off node's peers: mnesia still knows them).
 */
export function v4Nodes (c: SimCluster, connections: number): Record<string, unknown> {
  const running = runningNodes(c).map((node) => ({
    node,
    node_status: 'Running',
    connections: node === c.self ? connections : 0,
    live_connections: node === c.self ? connections : 0,
    version: '4.4.19',
    uptime: '1 hours, 2 minutes',
    otp_release: '24.3.4.2/12.3.2.2',
  }))
  const stopped = c.peers.filter((p) => !c.seen.includes(p)).sort().map((name) => ({ name, node_status: 'Stopped' }))
  return { code: 0, data: [...running, ...stopped] }
}
