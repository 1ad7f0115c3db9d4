import { notFound, unauthorized } from './answers.js'
import { json, type SimAnswer } from './evacuation-api.js'
import { realisticExposition } from './prometheus-exposition.js'
import type { ProfileTraits } from './profiles.js'

/** What the counter routes read of the simulated node and the request. */
export interface ConnectMetricsContext {
  readonly traits: ProfileTraits
  readonly nodeName: string
  readonly connects: number
  /** the request's credentials are the API key's */
  readonly authorized: boolean
  /** the key may use the monitoring routes: no scopes configured, or `monitoring` among them (6.0.3+, 6.1.2+) */
  readonly monitoring: boolean
  /** `prometheus.enable_basic_auth` */
  readonly prometheusBasicAuth: boolean
  /** the request's Accept header, as sent */
  readonly accept: string | undefined
  /** durable sessions enabled: the exposition has the durable storage families */
  readonly durableStorage: boolean
}

/** The other running node /api/v5/metrics returns when it drops `?node=` (a cluster of two, as the rebalance double plays). */
const PEER = 'emqx2@127.0.0.1'

/** ?API_KEY_NOT_ALLOW_MSG (apps/emqx_utils/include/emqx_http_api.hrl), as EMQX spells it */
export const NO_SCOPE = 'This API Key don\'t have permission to access this resource'

/**
 * Where EMQX exposes the node's `client.connect` counter, which counts every MQTT CONNECT that reaches
 * the node, also one its eviction agent then refuses (emqx_channel.erl `run_hooks/4` increments the
 * metric named after the hook before emqx_eviction_agent answers RC_USE_ANOTHER_SERVER):
 * - 5.x `GET /api/v5/prometheus/stats`: the text exposition of EMQX's size (prometheus-exposition.ts),
 *   `emqx_client_connect` from e5.2.0, node mode (no `node` label), unless the Accept header is exactly
 *   `application/json`: then EMQX's JSON format (e5.x-6.2) or a 400 (6.3+). No auth in e5.1-5.3; from
 *   e5.4 basic auth (API key, scope `monitoring`) when `prometheus.enable_basic_auth`, true by default from 6.3;
 * - 5.x `GET /api/v5/metrics?node=<node>` (API key; scope `monitoring` from 6.0.3/6.1.2):
 *   `[{"node": ..., "client.connect": n}]`, every running node's before 5.8.2 (`node` dropped);
 * - 4.4 `GET /api/v4/nodes/<node>/metrics` (AppID): `{"code":0,"data":{"client.connect": n}}`.
 * Undefined when the path is none of these.
 */
export function connectMetricsRoute (o: ConnectMetricsContext, method: string, path: string, query: string): SimAnswer | undefined {
  if (method !== 'GET') return undefined
  const api = o.traits.api
  if (api === 'v5' && path === '/api/v5/prometheus/stats') return prometheusStats(o)
  if (api === 'v5' && path === '/api/v5/metrics') {
    if (!o.authorized) return unauthorized('v5')
    // emqx_mgmt_api_metrics.erl `scopes() -> ?SCOPE_MONITORING` (6.0.3+, 6.1.2+)
    if (!o.monitoring) return json(403, { code: 'UNAUTHORIZED_ROLE', message: NO_SCOPE })
    const row = (node: string, connects: number): Record<string, unknown> => ({ node, 'client.connect': connects, 'client.connected': 0 })
    if (!o.traits.metricsNodeParam) return json(200, [row(PEER, 7), row(o.nodeName, o.connects)])
    const node = new URLSearchParams(query).get('node')
    if (node === null) return json(200, [row(o.nodeName, o.connects), row(PEER, 7)])
    // an unknown node name: `binary_to_existing_atom` fails, and `cluster_metrics(invalid)` is []
    return json(200, node === o.nodeName ? [row(o.nodeName, o.connects)] : [])
  }
  const v4 = /^\/api\/v4\/nodes\/([^/]+)\/metrics$/.exec(path)
  if (api === 'v4' && v4 !== null) {
    if (!o.authorized) return unauthorized('v4')
    if (decodeURIComponent(v4[1] ?? '') !== o.nodeName) return json(200, { code: 'RESOURCE_NOT_FOUND', message: 'node not found' })
    return json(200, { code: 0, data: { 'client.connect': o.connects, 'client.connected': 0 } })
  }
  if (path === '/api/v5/prometheus/stats' || path === '/api/v5/metrics') return notFound(api)
  return undefined
}

function prometheusStats (o: ConnectMetricsContext): SimAnswer {
  if (o.prometheusBasicAuth) {
    if (!o.authorized) return unauthorized('v5')
    if (!o.monitoring) return json(403, { code: 'UNAUTHORIZED_ROLE', message: NO_SCOPE })
  }
  const p = o.traits.prometheus
  // response_type/1 matches the header's exact value: `application/json, text/plain` is text
  if (o.accept === 'application/json') {
    // a filter's {400, Binary}: minirest's binary encoder sends it as is, typed application/json
    if (p.json === 'refused') {
      return { status: 400, body: 'only prometheus format is supported', headers: { 'content-type': 'application/json' } }
    }
    const client = p.connectCounter ? { emqx_client_connect: o.connects, emqx_client_connected: 0 } : { emqx_client_connected: 0 }
    return json(200, { stats: { emqx_connections_count: 0 }, packets: { emqx_packets_connect: o.connects }, client })
  }
  const body = realisticExposition({ ...(p.connectCounter ? { connects: o.connects } : {}), durableStorage: o.durableStorage })
  return { status: 200, body, headers: { 'content-type': 'text/plain' } }
}
