import { notFound, unauthorized } from './answers.js'
import { json, type SimAnswer } from './evacuation-api.js'

/**
 * Where EMQX exposes the node's `client.connect` counter, which counts every MQTT CONNECT that reaches
 * the node, also one its eviction agent then refuses (emqx_channel.erl `run_hooks/4` increments the
 * metric named after the hook before emqx_eviction_agent answers RC_USE_ANOTHER_SERVER):
 * - 5.x `GET /api/v5/prometheus/stats`: text exposition, `emqx_client_connect`, node mode (no `node`
 *   label), no auth (emqx_prometheus_api.erl `security => []` in e5.1-5.3; from e5.4 unless
 *   `prometheus.enable_basic_auth`);
 * - 5.x `GET /api/v5/metrics?node=<node>` (API key): `[{"node": ..., "client.connect": n}]`;
 * - 4.4 `GET /api/v4/nodes/<node>/metrics` (AppID): `{"code":0,"data":{"client.connect": n}}`.
 * Undefined when the path is none of these.
 */
export function connectMetricsRoute (
  o: { api: 'v4' | 'v5', nodeName: string, connects: number, authorized: boolean },
  method: string,
  path: string,
  query: string
): SimAnswer | undefined {
  if (method !== 'GET') return undefined
  if (o.api === 'v5' && path === '/api/v5/prometheus/stats') {
    const body = '# HELP emqx_client_connect Number of client connect\n# TYPE emqx_client_connect counter\n' +
      `emqx_client_connect ${o.connects}\n# TYPE emqx_connections_count gauge\nemqx_connections_count 0\n`
    return { status: 200, body, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } }
  }
  if (o.api === 'v5' && path === '/api/v5/metrics') {
    if (!o.authorized) return unauthorized('v5')
    const node = new URLSearchParams(query).get('node')
    if (node !== null && node !== o.nodeName) return json(404, { code: 'NOT_FOUND', message: 'node not found' })
    return json(200, [{ node: o.nodeName, 'client.connect': o.connects, 'client.connected': 0 }])
  }
  const v4 = /^\/api\/v4\/nodes\/([^/]+)\/metrics$/.exec(path)
  if (o.api === 'v4' && v4 !== null) {
    if (!o.authorized) return unauthorized('v4')
    if (decodeURIComponent(v4[1] ?? '') !== o.nodeName) return json(200, { code: 'RESOURCE_NOT_FOUND', message: 'node not found' })
    return json(200, { code: 0, data: { 'client.connect': o.connects, 'client.connected': 0 } })
  }
  if (path === '/api/v5/prometheus/stats' || path === '/api/v5/metrics') return notFound(o.api)
  return undefined
}
