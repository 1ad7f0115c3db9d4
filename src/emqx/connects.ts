import type { ApiTarget } from './api.js'
import type { EmqxHttp } from './http.js'

/**
 * EMQX's own count of arriving connections: the node metric `client.connect`, incremented for every MQTT
 * CONNECT that reaches the node, also one its eviction agent then refuses (emqx_channel.erl `run_hooks/4`
 * counts the hook before emqx_eviction_agent.erl `on_connect/2` answers RC_USE_ANOTHER_SERVER).
 * docs/emqx-compatibility.md ("Arrivals") has the sources per version.
 */
export type ConnectSource = 'prometheus' | 'metrics_api' | 'v4_metrics'

export type ConnectRead =
  | { readonly ok: true, readonly count: number, readonly source: ConnectSource }
  | { readonly ok: false, readonly error: string }

/** `emqx_client_connect` of a Prometheus text exposition in node mode (no `node` label); undefined when absent or ambiguous. */
export function parsePrometheusConnects (body: string): number | undefined {
  const values: number[] = []
  for (const line of body.split('\n')) {
    const m = /^emqx_client_connect(?:\{[^}]*\})?\s+(\S+)/.exec(line)
    if (m !== null) values.push(Number(m[1]))
  }
  // cluster mode lists one sample per node: not this node's alone, so no evidence
  return values.length === 1 && Number.isFinite(values[0]) && (values[0] ?? -1) >= 0 ? values[0] : undefined
}

/** `client.connect` of `GET /api/v5/metrics?node=<node>` (an array of per-node objects). */
export function parseMetricsApiConnects (body: string, node: string): number | undefined {
  let doc: unknown
  try { doc = JSON.parse(body) } catch { return undefined }
  const rows = Array.isArray(doc) ? doc : [doc]
  const row = rows.find((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && (r as { node?: unknown }).node === node)
  const n = row?.['client.connect']
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined
}

/** `client.connect` of 4.4's `GET /api/v4/nodes/<node>/metrics` (`{"code":0,"data":{...}}`). */
export function parseV4Connects (body: string): number | undefined {
  let doc: unknown
  try { doc = JSON.parse(body) } catch { return undefined }
  const d = doc as { code?: unknown, data?: unknown }
  if (d.code !== 0 || typeof d.data !== 'object' || d.data === null) return undefined
  const n = (d.data as Record<string, unknown>)['client.connect']
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined
}

interface Source {
  readonly name: ConnectSource
  readonly path: (node: string) => string
  readonly parse: (body: string, node: string) => number | undefined
  readonly needsCredentials: boolean
}

const V5_SOURCES: readonly Source[] = [
  { name: 'prometheus', path: () => '/api/v5/prometheus/stats', parse: (b) => parsePrometheusConnects(b), needsCredentials: false },
  {
    name: 'metrics_api',
    path: (n) => `/api/v5/metrics?node=${encodeURIComponent(n)}`,
    parse: (b, n) => parseMetricsApiConnects(b, n),
    needsCredentials: true,
  },
]
const V4_SOURCES: readonly Source[] = [
  { name: 'v4_metrics', path: (n) => `/api/v4/nodes/${n}/metrics`, parse: (b) => parseV4Connects(b), needsCredentials: true },
]

/**
 * Reads the counter from the best source the detected EMQX offers, sticky like the API detection: once
 * a source answered, it is kept, and its failures are *no evidence* (never "no arrivals"), not a reason
 * to switch. Until one answers, each read tries the sources in order (two requests at most).
 */
export class ConnectReader {
  readonly #http: EmqxHttp
  #found: { readonly target: ApiTarget, readonly source: Source } | undefined

  constructor (http: EmqxHttp) { this.#http = http }

  get source (): ConnectSource | undefined { return this.#found?.source.name }

  async read (target: ApiTarget | undefined, node: string | undefined): Promise<ConnectRead> {
    if (target === undefined || node === undefined) return { ok: false, error: 'the EMQX API or the node name is not known yet' }
    const found = this.#found
    if (found !== undefined && found.target.base.href === target.base.href) return await this.#readFrom(found.source, target, node)
    const sources = (target.version === 'v5' ? V5_SOURCES : V4_SOURCES).filter((s) => !s.needsCredentials || this.#http.hasCredentials)
    const errors: string[] = []
    for (const source of sources) {
      const r = await this.#readFrom(source, target, node)
      if (r.ok) { this.#found = { target, source }; return r }
      errors.push(r.error)
    }
    return { ok: false, error: errors.length > 0 ? errors.join('; ') : 'no CONNECT counter source without credentials on EMQX 4.4' }
  }

  async #readFrom (source: Source, target: ApiTarget, node: string): Promise<ConnectRead> {
    const path = source.path(node)
    const res = await this.#http.get(target.base, path)
    if (!res.ok) return { ok: false, error: `${path}: ${res.outcome.kind === 'failure' ? res.outcome.detail : 'request failed'}` }
    if (res.answer.status !== 200) return { ok: false, error: `${path}: EMQX answered ${res.answer.status}` }
    const count = source.parse(res.answer.body, node)
    if (count === undefined) return { ok: false, error: `${path}: no client.connect counter in the answer` }
    return { ok: true, count, source: source.name }
  }
}
