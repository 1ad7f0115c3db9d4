import { paths, type ApiTarget } from './api.js'
import type { EmqxHttp } from './http.js'
import { membershipView, parseClusterInfo, parseTopology, parseV4Nodes, type MembershipView, type TopologyCore } from './membership.js'

/** `status`: EMQX's answer on the cluster path when it was not 200 (a 401/403 is the key's: key-refusals.ts) */
export type MembershipRead = { readonly view: MembershipView } | { readonly error: string, readonly status?: number }

/** From 6.0.3 and 6.1.2 the cluster routes need an API key with the cluster_operations scope (emqx_mgmt_api_cluster.erl `scopes/0`). */
const CLUSTER_SCOPE_HINT = 'from EMQX 6.0.3 and 6.1.2 the cluster API needs an API key with the cluster_operations scope'
/** A topology that answered 404 is asked again after this many reads (EMQX may have been upgraded in place). */
export const TOPOLOGY_RETRY_READS = 12

/**
 * Reads this node's view of its cluster (membership.ts) through the client's one HTTP layer, so auth, deadlines
 * and the body cap are the same as every other read. Never throws. The topology is asked only on 5.x, and once
 * it answered 404 (before e5.1.1) it is not asked again of that API: the view is then the running nodes alone.
 */
export class MembershipReader {
  readonly #http: EmqxHttp
  /** the API that answered 404 on the topology, and the reads left before it is asked again */
  #topologyAbsent: { at: string, skip: number } | undefined

  constructor (http: EmqxHttp) { this.#http = http }

  /** `self`: the node name from the node status, for 4.4 (whose answer does not name the node it came from). */
  async read (target: ApiTarget | undefined, self: string | undefined): Promise<MembershipRead> {
    if (target === undefined) return { error: 'the EMQX API has not answered yet' }
    if (!this.#http.hasCredentials) return { error: 'no EMQX credentials configured: the cluster view needs an API key' }
    const path = paths.cluster(target.version)
    const asked = target.version === 'v5' && !this.#skipTopology(target) ? this.#topology(target) : undefined
    const res = await this.#http.get(target.base, path)
    const t = await asked
    if (!res.ok) return { error: `${path}: ${res.outcome.kind === 'failure' ? res.outcome.detail : 'request failed'}` }
    if (res.answer.status !== 200) {
      const status = res.answer.status
      return { error: `${path}: EMQX answered ${status}${status === 403 ? ` (${CLUSTER_SCOPE_HINT})` : ''}`, status }
    }
    if (target.version === 'v4') {
      const nodes = parseV4Nodes(res.answer.body)
      if (nodes === undefined) return { error: `${path}: unrecognised answer (not a node list)` }
      return { view: membershipView({ ...nodes, ...(self !== undefined ? { self } : {}), topologyNote: 'EMQX 4.4 has no replicants' }) }
    }
    const info = parseClusterInfo(res.answer.body)
    if (info === undefined) return { error: `${path}: unrecognised answer (no "nodes" and "self")` }
    const name = info.name !== undefined ? { clusterName: info.name } : {}
    const topology = t ?? { topologyNote: `${paths.topology} absent on this EMQX (before e5.1.1): core/replicant roles unknown` }
    return { view: membershipView({ running: info.nodes, self: info.self, ...name, ...topology }) }
  }

  #skipTopology (target: ApiTarget): boolean {
    const a = this.#topologyAbsent
    if (a === undefined || a.at !== target.base.href) return false
    if (a.skip-- > 0) return true
    this.#topologyAbsent = undefined
    return false
  }

  async #topology (target: ApiTarget): Promise<{ topology: TopologyCore[] } | { topologyNote: string }> {
    const res = await this.#http.get(target.base, paths.topology)
    if (!res.ok) return { topologyNote: `${paths.topology}: ${res.outcome.kind === 'failure' ? res.outcome.detail : 'request failed'}` }
    if (res.answer.status === 404) {
      this.#topologyAbsent = { at: target.base.href, skip: TOPOLOGY_RETRY_READS - 1 }
      return { topologyNote: `${paths.topology}: EMQX answered 404 (absent before e5.1.1): core/replicant roles unknown` }
    }
    if (res.answer.status !== 200) return { topologyNote: `${paths.topology}: EMQX answered ${res.answer.status}` }
    const topology = parseTopology(res.answer.body)
    return topology === undefined ? { topologyNote: `${paths.topology}: unrecognised answer` } : { topology }
  }
}
