import type { ApiTarget } from './api.js'
import { keepBody, type BodyReader, type EmqxHttp } from './http.js'
import { PROMETHEUS_ACCEPT, prometheusConnectReader } from './prometheus-scan.js'
import { keyRefusal, type KeyRefusal } from './key-refusals.js'
import { COUNTER_SOURCES, counterSelection, type ConnectSource, type CounterSelection, type Tried } from './counter-sources.js'

/**
 * EMQX's own count of arriving connections: the node metric `client.connect`, incremented for every MQTT
 * CONNECT that reaches the node, also one its eviction agent then refuses (emqx_channel.erl `run_hooks/4`
 * counts the hook before emqx_eviction_agent.erl `on_connect/2` answers RC_USE_ANOTHER_SERVER).
 * docs/emqx-compatibility.md ("Arrivals") has the sources per version.
 */
export type ConnectRead =
  | { readonly ok: true, readonly count: number, readonly source: ConnectSource }
  /** `refused`: a source answered 401/403 (the last such source of this read) */
  | { readonly ok: false, readonly error: string, readonly refused?: KeyRefusal }

/** `emqx_client_connect` of a Prometheus text exposition in node mode (no `node` label); undefined when absent or ambiguous. */
export function parsePrometheusConnects (body: string): number | undefined {
  const reader = prometheusConnectReader(Infinity)
  reader.data(Buffer.from(body))
  return reader.end()
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
  /** the Accept header EMQX needs to answer in the format the reader reads */
  readonly accept?: string
  /**
   * `notes.durable`: told whether the answer shows durable sessions enabled (only the Prometheus exposition can);
   * `notes.format`: whether the answer was this source's format at all (an answer without the counter is then
   * EMQX's own, not a proxy's page or garbage)
   */
  readonly reader: (node: string, notes: ReadNotes) => BodyReader<number | undefined>
}

interface ReadNotes {
  readonly durable: (enabled: boolean) => void
  readonly format: (recognised: boolean) => void
}

/** A JSON answer kept whole (MAX_BODY_BYTES) and parsed at its end; `recognise` says whether it is the source's shape. */
function jsonReader (
  parse: (body: string) => number | undefined, recognise: (doc: unknown) => boolean, notes: ReadNotes
): BodyReader<number | undefined> {
  const body = keepBody()
  return {
    maxBytes: body.maxBytes,
    data: body.data,
    end: () => {
      const text = body.end()
      let doc: unknown
      try { doc = JSON.parse(text) } catch { doc = undefined }
      notes.format(doc !== undefined && recognise(doc))
      return parse(text)
    },
  }
}

/** `/api/v5/metrics`: per-node objects, each with its `node` */
const isMetricsRows = (doc: unknown): boolean =>
  (Array.isArray(doc) ? doc : [doc]).some((r) => typeof r === 'object' && r !== null && typeof (r as { node?: unknown }).node === 'string')
/** 4.4: `{"code":0,"data":{...}}` */
const isV4Metrics = (doc: unknown): boolean => {
  const d = doc as { code?: unknown, data?: unknown } | null
  return typeof d === 'object' && d !== null && d.code === 0 && typeof d.data === 'object' && d.data !== null
}

/** How each source is read; which API generation offers it, and in what order, is COUNTER_SOURCES' (counter-sources.ts). */
const READS: Readonly<Record<ConnectSource, Omit<Source, 'name'>>> = {
  // text/plain: EMQX answers exactly `accept: application/json` with its JSON format (e5.x-6.2) or a 400 (6.3+)
  prometheus: {
    path: () => '/api/v5/prometheus/stats',
    accept: PROMETHEUS_ACCEPT,
    reader: (_n, notes) => prometheusConnectReader(undefined, notes.durable, notes.format),
  },
  metrics_api: {
    // `node` is honoured from 5.8.2; before, every running node is returned (one RPC each) and the row is picked by `node`
    path: (n) => `/api/v5/metrics?node=${encodeURIComponent(n)}`,
    reader: (n, notes) => jsonReader((b) => parseMetricsApiConnects(b, n), isMetricsRows, notes),
  },
  v4_metrics: {
    path: (n) => `/api/v4/nodes/${n}/metrics`,
    reader: (_n, notes) => jsonReader(parseV4Connects, isV4Metrics, notes),
  },
}

/** The sources an API generation offers, in the order they are tried, with what reading them needs. */
function offeredOn (version: ApiTarget['version']): ReadonlyArray<Source & { readonly needsCredentials: boolean }> {
  return COUNTER_SOURCES.filter((f) => f.version === version)
    .map((f) => ({ name: f.name, needsCredentials: f.needsCredentials, ...READS[f.name] }))
}

/**
 * Reads the counter from the best source the detected EMQX offers, sticky like the API detection: once
 * a source answered, it is kept, and its failures are *no evidence* (never "no arrivals"), not a reason
 * to switch. Until one answers, each read tries the sources in order (two requests at most).
 */
export class ConnectReader {
  readonly #http: EmqxHttp
  #found: { readonly target: ApiTarget, readonly source: Source } | undefined
  #durable: boolean | undefined
  /** what the reads of one API target got, per source (the reasons /status and the log give) */
  #tried: { readonly target: ApiTarget, readonly bySource: Map<ConnectSource, Tried> } | undefined

  constructor (http: EmqxHttp) { this.#http = http }

  get source (): ConnectSource | undefined { return this.#found?.source.name }

  /**
   * Durable sessions enabled on the node, as the last counter read that answered showed it (./prometheus-scan.ts: the
   * `emqx_ds_*` families); undefined (not known) before one answered, or when the counter comes from another source.
   */
  get durableSessions (): boolean | undefined { return this.#durable }
  /** The source in use on `target` and why not the others (before the first reading: what will be tried). */
  selection (target: ApiTarget | undefined): CounterSelection {
    const hasCredentials = this.#http.hasCredentials
    if (target === undefined) return counterSelection({ version: undefined, hasCredentials })
    const found = this.#found !== undefined && sameTarget(this.#found.target, target) ? this.#found.source.name : undefined
    const tried = this.#tried !== undefined && sameTarget(this.#tried.target, target) ? this.#tried.bySource : undefined
    return counterSelection({ version: target.version, hasCredentials, inUse: found, tried })
  }

  async read (target: ApiTarget | undefined, node: string | undefined): Promise<ConnectRead> {
    if (target === undefined || node === undefined) return { ok: false, error: 'the EMQX API or the node name is not known yet' }
    const found = this.#found
    if (found !== undefined && sameTarget(found.target, target)) return (await this.#readFrom(found.source, target, node)).read
    const sources = offeredOn(target.version).filter((s) => !s.needsCredentials || this.#http.hasCredentials)
    const tried = new Map<ConnectSource, Tried>()
    const errors: string[] = []
    let refused: KeyRefusal | undefined
    for (const source of sources) {
      const r = await this.#readFrom(source, target, node)
      tried.set(source.name, r.tried)
      if (r.read.ok) { this.#found = { target, source }; this.#tried = { target, bySource: tried }; return r.read }
      errors.push(r.read.error)
      refused = r.read.refused ?? refused
    }
    this.#tried = { target, bySource: tried }
    const error = errors.length > 0 ? errors.join('; ') : 'no CONNECT counter source without credentials on EMQX 4.4'
    return { ok: false, error, ...(refused !== undefined ? { refused } : {}) }
  }

  async #readFrom (source: Source, target: ApiTarget, node: string): Promise<{ read: ConnectRead, tried: Tried }> {
    const path = source.path(node)
    const accept = source.accept !== undefined ? { accept: source.accept } : {}
    let durable: boolean | undefined
    let recognised = false
    const notes: ReadNotes = { durable: (d) => { durable = d }, format: (f) => { recognised = f } }
    const res = await this.#http.scan(target.base, path, { reader: () => source.reader(node, notes), ...accept })
    if (!res.ok) {
      const detail = res.outcome.kind === 'failure' ? res.outcome.detail : 'request failed'
      return { read: { ok: false, error: `${path}: ${detail}` }, tried: { kind: 'unreadable', detail } }
    }
    if (res.status !== 200) {
      const o = { version: target.version, withKey: this.#http.hasCredentials, prometheus: source.name === 'prometheus' }
      const refused = keyRefusal('metrics', path.split('?')[0] ?? path, res.status, o)
      // what a 401/403 means is said once, in key-refusals.ts: the counter's reasons and the config error alike
      const hint = refused === undefined ? '' : `: ${refused.fix}`
      const error = `${path}: EMQX answered ${res.status}${hint}`
      const tried: Tried = res.status === 401 || res.status === 403
        ? { kind: 'refused', status: res.status, hint }
        : { kind: 'unreadable', detail: `EMQX answered ${res.status}`, status: res.status }
      return { read: { ok: false, error, ...(refused !== undefined ? { refused } : {}) }, tried }
    }
    const count = res.value
    if (count === undefined && !recognised) {
      // a proxy's page, garbage or a cut answer: nothing said about what this EMQX offers, tried again next read
      const detail = `the answer is not ${source.name === 'prometheus' ? 'an EMQX Prometheus exposition' : "EMQX's metrics"}`
      return { read: { ok: false, error: `${path}: ${detail}` }, tried: { kind: 'unreadable', detail } }
    }
    if (count === undefined) {
      return { read: { ok: false, error: `${path}: no client.connect counter in the answer` }, tried: { kind: 'absent' } }
    }
    this.#durable = durable
    return { read: { ok: true, count, source: source.name }, tried: { kind: 'counter' } }
  }
}

/** The same API: a target found again on another URL or generation looks for its source again. */
function sameTarget (a: ApiTarget, b: ApiTarget): boolean {
  return a.base.href === b.base.href && a.version === b.version
}
