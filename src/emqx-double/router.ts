import { nodeStatus, notFound, unauthorized } from './answers.js'
import { connectMetricsRoute, NO_SCOPE } from './connect-metrics.js'
import { json, type SimAnswer } from './evacuation-api.js'
import { CRASH_BODY, globalStatus, localStatus, purgeCrashes, unavailable, type SimProcess } from './node-model.js'
import type { NodeCounts } from './evacuation-machine.js'
import type { ProfileTraits } from './profiles.js'
import { clusterInfo, clusterTopology, v4Nodes, type SimCluster } from './cluster-model.js'

/** What the routes read of the simulated node. */
export interface RouteContext {
  readonly traits: ProfileTraits
  readonly nodeName: string
  readonly running: boolean
  readonly process: SimProcess
  readonly counts: NodeCounts
  /** false: the API key's scopes lack cluster_operations (6.0.3+, 6.1.2+) */
  readonly clusterOperations: boolean
  readonly cluster: SimCluster
  /** false: the API key's scopes lack monitoring (6.0.3+, 6.1.2+): /api/v5/metrics, and the Prometheus endpoint behind basic auth */
  readonly monitoring: boolean
  /** `prometheus.enable_basic_auth` */
  readonly prometheusBasicAuth: boolean
  /** `durable_sessions.enable` (SimOptions.durableSessionsEnabled) */
  readonly durableSessionsEnabled: boolean
  authorized: (header: string | undefined) => boolean
  dashboardAuthorized: (header: string | undefined) => boolean
  /** applies an evacuation start/stop to the node and returns EMQX's answer */
  evacuationCall: (rawNode: string, start: boolean, body: string) => SimAnswer
}

/** The API listener (5.x's 18083, 4.4's management port 8081). */
export function routeApi (
  ctx: RouteContext,
  method: string,
  url: string,
  authorization: string | undefined,
  body: string,
  accept?: string
): SimAnswer {
  const [path = '/', query = ''] = url.split('?')
  const { api, hasRebalance, availabilityNeedsAuth } = ctx.traits
  const jsonFormat = /(^|&)format=json(&|$)/.test(query)
  if (method === 'GET' && (path === '/status' || (api === 'v5' && path === '/api/v5/status'))) {
    return nodeStatus({ api, nodeName: ctx.nodeName, running: ctx.running, jsonFormat })
  }
  const metrics = connectMetricsRoute({
    traits: ctx.traits,
    nodeName: ctx.nodeName,
    connects: ctx.counts.connects,
    authorized: ctx.authorized(authorization),
    monitoring: ctx.monitoring,
    prometheusBasicAuth: ctx.prometheusBasicAuth,
    accept,
    durableStorage: ctx.durableSessionsEnabled,
  }, method, path, query)
  if (metrics !== undefined) return metrics
  const prefix = `/api/${api}/load_rebalance/`
  // 4.4's minirest checks login before routing: without credentials even a missing path is 401
  // (4.4.24+ made availability_check public).
  const publicPath = hasRebalance && !availabilityNeedsAuth && path === `${prefix}availability_check`
  if (ctx.traits.authBeforeRouting && path.startsWith('/api/') && !publicPath && !ctx.authorized(authorization)) return unauthorized(api)
  const cluster = clusterRoute(ctx, method, path, ctx.authorized(authorization))
  if (cluster !== undefined) return cluster
  if (!path.startsWith(prefix) || !hasRebalance) return notFound(api)
  return rebalanceRoute(ctx, method, path.slice(prefix.length), ctx.authorized(authorization), body)
}

/** 4.4's dashboard listener (18083): /api/v4 behind the dashboard user's login, checked before routing; no /status. */
export function routeDashboard (
  ctx: RouteContext,
  method: string,
  url: string,
  authorization: string | undefined,
  body: string
): SimAnswer {
  const path = url.split('?')[0] ?? '/'
  if (!path.startsWith('/api/')) return notFound('v4')
  if (!ctx.dashboardAuthorized(authorization)) return unauthorized('v4')
  const prefix = '/api/v4/load_rebalance/'
  const cluster = clusterRoute(ctx, method, path, true)
  if (cluster !== undefined) return cluster
  if (!path.startsWith(prefix) || !ctx.traits.hasRebalance) return notFound('v4')
  return rebalanceRoute(ctx, method, path.slice(prefix.length), true, body)
}

/**
 * The cluster view: 5.x `GET /api/v5/cluster` and (e5.1.1+) `/cluster/topology`, behind an API key and, from
 * 6.0.3/6.1.2, the cluster_operations scope (emqx_mgmt_api_cluster.erl `scopes/0`); 4.4's `GET /api/v4/nodes`
 * (emqx_mgmt_api_nodes.erl, AppID; on either listener). Open-source EMQX has them too. Undefined: not a cluster path.
 */
function clusterRoute (ctx: RouteContext, method: string, path: string, ok: boolean): SimAnswer | undefined {
  const { api, hasTopology } = ctx.traits
  if (method !== 'GET') return undefined
  if (api === 'v4') {
    return path === '/api/v4/nodes' || path === '/api/v4/nodes/' ? json(200, v4Nodes(ctx.cluster, ctx.counts.connections)) : undefined
  }
  const topology = path === '/api/v5/cluster/topology'
  if (path !== '/api/v5/cluster' && !topology) return undefined
  if (topology && !hasTopology) return notFound(api)
  if (!ok) return unauthorized(api)
  if (!ctx.clusterOperations) return json(403, { code: 'UNAUTHORIZED_ROLE', message: NO_SCOPE })
  return json(200, topology ? clusterTopology(ctx.cluster) : clusterInfo(ctx.cluster))
}

function rebalanceRoute (ctx: RouteContext, method: string, rest: string, ok: boolean, body: string): SimAnswer {
  const { api } = ctx.traits
  const crashes = purgeCrashes(ctx.process, ctx.nodeName)
  if (method === 'GET' && rest === 'availability_check') {
    if (ctx.traits.availabilityNeedsAuth && !ok) return unauthorized(api)
    if (crashes && ctx.traits.availabilityFromLocalStatus) return json(500, CRASH_BODY)
    if (!unavailable(ctx.process)) return json(200, {})
    return json(503, api === 'v5' ? { code: 'NODE_EVACUATING', message: 'Node Evacuating' } : {})
  }
  if (!ok) return unauthorized(api)
  // emqx_mgmt_auth check_scopes: the routes of emqx_node_rebalance_api need the cluster_operations scope
  if (!ctx.clusterOperations) return json(403, { code: 'UNAUTHORIZED_ROLE', message: NO_SCOPE })
  if (method === 'GET' && rest === 'status') return crashes ? json(500, CRASH_BODY) : json(200, localStatus(ctx.process, ctx.counts))
  if (method === 'GET' && rest === 'global_status') return json(200, globalStatus(ctx.nodeName, ctx.process, ctx.counts, api))
  const m = /^([^/]+)\/evacuation\/(start|stop)$/.exec(rest)
  if (method === 'POST' && m !== null) return ctx.evacuationCall(m[1] ?? '', m[2] === 'start', body)
  return notFound(api)
}
