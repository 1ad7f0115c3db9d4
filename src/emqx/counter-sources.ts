/**
 * Which source EMQX's CONNECT counter is read from, and why not the others (docs/emqx-compatibility.md,
 * "Arrivals"): pure, from the API generation, whether credentials are configured and what the reads so far
 * got. /status (`drain_evidence.counter`), the start-up log and `--check-config` all say it in these words.
 */
import type { ApiVersion } from './api.js'

/** The counter's sources (src/emqx/connects.ts reads them). */
export type ConnectSource = 'prometheus' | 'metrics_api' | 'v4_metrics'

interface SourceFacts {
  readonly name: ConnectSource
  readonly version: ApiVersion
  /** the request, as /status and the log name it */
  readonly request: string
  /** how a reason names the source */
  readonly label: string
  readonly needsCredentials: boolean
  /** why it cannot be read without credentials */
  readonly noCredentials?: string
  /** what an answer without the counter means */
  readonly absent: string
}

/** In the order they are tried. */
export const COUNTER_SOURCES: readonly SourceFacts[] = [
  {
    name: 'prometheus',
    version: 'v5',
    request: 'GET /api/v5/prometheus/stats',
    label: 'prometheus stats',
    needsCredentials: false,
    absent: 'prometheus stats answered without this node\'s emqx_client_connect (it first appears at EMQX e5.2.0)',
  },
  {
    name: 'metrics_api',
    version: 'v5',
    request: 'GET /api/v5/metrics?node=<node>',
    label: '/api/v5/metrics',
    needsCredentials: true,
    noCredentials: 'no credentials: /api/v5/metrics needs an API key',
    absent: '/api/v5/metrics answered without this node\'s client.connect',
  },
  {
    name: 'v4_metrics',
    version: 'v4',
    request: 'GET /api/v4/nodes/<node>/metrics',
    label: '/api/v4/nodes/<node>/metrics',
    needsCredentials: true,
    noCredentials: 'EMQX 4.4 has no CONNECT counter without credentials (/api/v4/nodes/<node>/metrics needs an AppID)',
    absent: '/api/v4/nodes/<node>/metrics answered without client.connect',
  },
]

/** What one read of a source got. */
export type Tried =
  | { readonly kind: 'counter' }
  /** 401/403; `hint` says what it means (starts with ': ', or '') */
  | { readonly kind: 'refused', readonly status: number, readonly hint: string }
  /** answered 200 without the counter */
  | { readonly kind: 'absent' }
  /** no answer, or another status: tried again at the next reading */
  | { readonly kind: 'unreadable', readonly detail: string, readonly status?: number }

/**
 * A source's standing: read from (`in_use`); to be tried (`to_try`: before the first reading, or before the
 * API is detected); `no_credentials`; `not_offered` by the detected EMQX; `refused` (401/403); `absent`
 * (answered without the counter); `unreadable` (no answer or another status, tried again); `not_needed`
 * (after the source in use, not asked).
 */
export type SourceState = 'in_use' | 'to_try' | 'no_credentials' | 'not_offered' | 'refused' | 'absent' | 'unreadable' | 'not_needed'

export interface SourceReport {
  readonly source: ConnectSource
  readonly request: string
  readonly state: SourceState
  /** the status EMQX answered (refused, unreadable) */
  readonly httpStatus: number | undefined
  /** why this source is not the one read; undefined for the one in use */
  readonly why: string | undefined
}

export interface CounterSelection {
  /** the source read from; undefined while none is */
  readonly source: ConnectSource | undefined
  /** no reading will change it unless EMQX changes: a source is in use, or none can be (no credentials, refused, absent) */
  readonly settled: boolean
  /** one line: the source and why not the others, e.g. `prometheus (no credentials: /api/v5/metrics needs an API key)` */
  readonly summary: string
  readonly sources: readonly SourceReport[]
}

export interface SelectionInput {
  /** the detected API generation; undefined before detection (or from --emqx-api-version auto) */
  readonly version: ApiVersion | undefined
  readonly hasCredentials: boolean
  /** the source that answered (sticky) */
  readonly inUse?: ConnectSource | undefined
  /** what the reads of the detected API got, per source */
  readonly tried?: ReadonlyMap<ConnectSource, Tried> | undefined
}

const generation = (v: ApiVersion): string => (v === 'v5' ? 'EMQX 5.x' : 'EMQX 4.4')
const DEFINITE: ReadonlySet<SourceState> = new Set(['no_credentials', 'refused', 'absent'])

function report (s: SourceFacts, i: SelectionInput): SourceReport {
  const r = (state: SourceState, why: string | undefined, httpStatus?: number): SourceReport =>
    ({ source: s.name, request: s.request, state, httpStatus, why })
  if (i.version !== undefined && s.version !== i.version) return r('not_offered', `not offered by ${generation(i.version)}`)
  if (s.needsCredentials && !i.hasCredentials) return r('no_credentials', s.noCredentials)
  if (i.inUse === s.name) return r('in_use', undefined)
  const tried = i.tried?.get(s.name)
  if (i.inUse !== undefined && (tried === undefined || tried.kind === 'counter')) {
    return r('not_needed', `not asked: ${i.inUse} answered first`)
  }
  if (i.version === undefined) return r('to_try', `tried once ${generation(s.version)} is detected`)
  if (tried === undefined || tried.kind === 'counter') return r('to_try', 'tried at the first reading')
  if (tried.kind === 'refused') return r('refused', `${s.label} answered ${tried.status}${tried.hint}`, tried.status)
  if (tried.kind === 'absent') return r('absent', s.absent)
  return r('unreadable', `${s.label}: ${tried.detail}`, tried.status)
}

/** The counter's source and why not the others, in the words /status, the log and --check-config use. */
export function counterSelection (i: SelectionInput): CounterSelection {
  const sources = COUNTER_SOURCES.map((s) => report(s, i))
  const inUse = sources.find((s) => s.state === 'in_use')
  const versionOf = (s: SourceReport): ApiVersion | undefined => COUNTER_SOURCES.find((f) => f.name === s.source)?.version
  const own = sources.filter((s) => i.version === undefined || versionOf(s) === i.version)
  const reasons = (states: readonly SourceState[]): string[] =>
    own.filter((s) => states.includes(s.state)).map((s) => s.why ?? '').filter((w) => w !== '')
  const paren = (r: readonly string[]): string => (r.length === 0 ? '' : ` (${r.join('; ')})`)
  if (inUse !== undefined) {
    const summary = inUse.source + paren(reasons(['no_credentials', 'refused', 'absent', 'unreadable']))
    return { source: inUse.source, settled: true, summary, sources }
  }
  if (i.version === undefined) {
    const per = (['v5', 'v4'] as const).map((v) => {
      const can = sources.filter((s) => s.state === 'to_try' && versionOf(s) === v)
      const cannot = sources.filter((s) => s.state === 'no_credentials' && versionOf(s) === v)
      const why = paren(cannot.map((s) => s.why ?? ''))
      return can.length === 0 ? `none on ${generation(v)}${why}` : `${can.map((s) => s.source).join(', then ')} on ${generation(v)}${why}`
    })
    return { source: undefined, settled: false, summary: `will try ${per.join('; ')}`, sources }
  }
  const toTry = own.filter((s) => s.state === 'to_try')
  if (own.every((s) => DEFINITE.has(s.state))) {
    return { source: undefined, settled: true, summary: `none: ${reasons(['no_credentials', 'refused', 'absent']).join('; ')}`, sources }
  }
  if (own.every((s) => s.state === 'to_try' || s.state === 'no_credentials')) {
    const summary = `will try ${toTry.map((s) => s.source).join(', then ')}${paren(reasons(['no_credentials']))}`
    return { source: undefined, settled: false, summary, sources }
  }
  const all = reasons(['no_credentials', 'refused', 'absent', 'unreadable'])
  return { source: undefined, settled: false, summary: `none yet: ${all.join('; ')} (tried again at the next reading)`, sources }
}
