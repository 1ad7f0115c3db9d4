import { nodeStatus, notFound, unauthorized } from './answers.js'
import { connectMetricsRoute } from './connect-metrics.js'
import { json, type SimAnswer } from './evacuation-api.js'
import { CRASH_BODY, globalStatus, localStatus, purgeCrashes, unavailable, type SimProcess } from './node-model.js'
import type { NodeCounts } from './evacuation-machine.js'
import type { ProfileTraits } from './profiles.js'

/** What the routes read of the simulated node. */
export interface RouteContext {
  readonly traits: ProfileTraits
  readonly nodeName: string
  readonly running: boolean
  readonly process: SimProcess
  readonly counts: NodeCounts
  /** false: the API key's scopes lack cluster_operations (6.0.3+, 6.1.2+) */
  readonly clusterOperations: boolean
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
  body: string
): SimAnswer {
  const [path = '/', query = ''] = url.split('?')
  const { api, hasRebalance, availabilityNeedsAuth } = ctx.traits
  const jsonFormat = /(^|&)format=json(&|$)/.test(query)
  if (method === 'GET' && (path === '/status' || (api === 'v5' && path === '/api/v5/status'))) {
    return nodeStatus({ api, nodeName: ctx.nodeName, running: ctx.running, jsonFormat })
  }
  const metrics = connectMetricsRoute(
    { api, nodeName: ctx.nodeName, connects: ctx.counts.connects, authorized: ctx.authorized(authorization) }, method, path, query)
  if (metrics !== undefined) return metrics
  const prefix = `/api/${api}/load_rebalance/`
  // 4.4's minirest checks login before routing: without credentials even a missing path is 401
  // (4.4.24+ made availability_check public).
  const publicPath = hasRebalance && !availabilityNeedsAuth && path === `${prefix}availability_check`
  if (ctx.traits.authBeforeRouting && path.startsWith('/api/') && !publicPath && !ctx.authorized(authorization)) return unauthorized(api)
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
  if (!path.startsWith(prefix) || !ctx.traits.hasRebalance) return notFound('v4')
  return rebalanceRoute(ctx, method, path.slice(prefix.length), true, body)
}

/** ?API_KEY_NOT_ALLOW_MSG (apps/emqx_utils/include/emqx_http_api.hrl), as EMQX spells it */
const NO_SCOPE = 'This API Key don\'t have permission to access this resource'

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
