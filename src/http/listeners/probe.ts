/**
 * The HTTP probe path in one module: whether a request is a probe, its answer, the checker it came from and the
 * count. The HTTP entry of the checker protocol registry (src/checkers/protocols.ts) is served here: the answer
 * follows the snapshot's one decision (src/state/model.ts servedAnswer), its label is one of the entry's `answers`.
 * The server in front of fastify (./fast-path.ts) calls serve() for what isProbe() matches; fastify's routes
 * (./app.ts) call it for inject() and the request targets the matcher leaves alone. Nothing here allocates per
 * probe: the answer is rebuilt only when what it says changes, and a keep-alive checker is identified once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { CheckerKind } from '../../checkers/protocols.js'
import type { CheckerHandle, CheckerTracker } from '../../checkers/tracker.js'
import { servedAnswer, type Snapshot } from '../../state/model.js'
import type { Store } from '../../state/store.js'

/**
 * Paths that answer like EMQX's availability_check. The EMQX paths are aliases so that an existing
 * HAProxy config only changes its port and drops its credentials; `/` because a bare `option httpchk`
 * sends `OPTIONS /`.
 */
export const AVAILABILITY_PATHS = [
  '/',
  '/availability',
  '/load_rebalance/availability_check',
  '/api/v4/load_rebalance/availability_check',
  '/api/v5/load_rebalance/availability_check',
  '/readyz',
] as const

const PROBE_PATHS: readonly string[] = AVAILABILITY_PATHS

/**
 * GET, HEAD or OPTIONS on an availability path (query string ignored: checkers add cache busters).
 * Plain comparisons, not Set lookups: a Set hashes each request's new URL string first.
 */
export function isProbe (method: string | undefined, url: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') return false
  if (url === undefined) return false
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  for (let i = 0; i < PROBE_PATHS.length; i++) if (PROBE_PATHS[i] === path) return true
  return false
}

/** The probe answer for a snapshot: pure; HttpProbes caches it while it says the same. */
export interface ProbeAnswer {
  readonly status: 200 | 503
  /** the answer as counted and as the tracker records it: one of the HTTP protocol's `answers` */
  readonly label: '200' | '503'
  readonly available: boolean
  /** JSON body for GET (ASCII); HEAD and OPTIONS send the status only */
  readonly body: string
  /** the GET answer's headers as a flat [name, value, ...] list, built once per answer */
  readonly getHeaders: readonly string[]
  /** the HEAD and OPTIONS answer's headers */
  readonly bodylessHeaders: readonly string[]
}

// the same for every answer: HEAD and OPTIONS carry no body, and nothing may cache an answer
const BODYLESS_HEADERS: readonly string[] = ['content-length', '0', 'cache-control', 'no-store']

export function probeAnswer (s: Pick<Snapshot, 'state' | 'reason' | 'since'>): ProbeAnswer {
  const a = servedAnswer(s)
  const body = JSON.stringify({ state: a.state, reason: a.reason, since: new Date(a.since).toISOString() })
  return {
    status: a.status,
    label: a.status === 200 ? '200' : '503',
    available: a.available,
    body,
    getHeaders: ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)), 'cache-control', 'no-store'],
    bodylessHeaders: BODYLESS_HEADERS,
  }
}

/**
 * Writes a probe answer on a raw response: GET gets the JSON body, HEAD and OPTIONS the status only
 * (Patroni's convention). Every answer is uncachable: a cached 200 from a proxy in between would hide a drain.
 */
export function writeProbeAnswer (res: ServerResponse, method: string | undefined, a: ProbeAnswer): void {
  // the answer's own header lists (flat arrays, built once per answer): no headers object per probe
  if (method === 'GET') {
    res.writeHead(a.status, a.getHeaders as string[])
    // a string body goes out in one write() with the headers; a Buffer would take a writev() of two
    res.end(a.body, 'utf8')
  } else {
    res.writeHead(a.status, a.bodylessHeaders as string[])
    res.end()
  }
}

export interface HttpProbesOptions {
  readonly store: Store
  /** counts each answer (the metrics registry fits; the listener does not import it) */
  readonly recorder: { readonly probe: (protocol: CheckerKind, answer: string) => void }
  /** records who probes and what they were told (drain acknowledgement) */
  readonly tracker?: CheckerTracker | undefined
}

/** Serves availability probes: the answer for the store's current snapshot, counted and recorded, then written. */
export class HttpProbes {
  readonly #store: Store
  readonly #recorder: HttpProbesOptions['recorder']
  readonly #observer: ProbeObserver | undefined
  // The answer last built, kept while what it says holds: every EMQX check replaces the snapshot (its
  // lastCheck), but the answer changes only with the state, the reason or the time the state began.
  #last: (Pick<Snapshot, 'state' | 'reason' | 'since'> & { readonly answer: ProbeAnswer }) | undefined

  constructor (o: HttpProbesOptions) {
    this.#store = o.store
    this.#recorder = o.recorder
    this.#observer = o.tracker === undefined ? undefined : new ProbeObserver(o.tracker)
  }

  /** probeAnswer(s), rebuilt only when the state, the reason or `since` changed. */
  answer (s: Snapshot): ProbeAnswer {
    const last = this.#last
    if (last !== undefined && last.state === s.state && last.reason === s.reason && last.since === s.since) return last.answer
    const answer = probeAnswer(s)
    this.#last = { state: s.state, reason: s.reason, since: s.since, answer }
    return answer
  }

  /** One probe: answered from store.current, counted, handed to the tracker, written. */
  serve (req: IncomingMessage, res: ServerResponse): void {
    const a = this.answer(this.#store.current)
    this.#recorder.probe('http', a.label)
    this.#observer?.observe(req, a.available, a.label, Date.now())
    writeProbeAnswer(res, req.method, a)
  }
}

/** What a connection remembers about the checker behind it (a property under a private symbol). */
interface SocketChecker {
  readonly userAgent: string | undefined
  readonly handle: CheckerHandle
}
const CHECKER = Symbol('emqx-lb-sidecar.checker')
type TaggedSocket = Socket & { [CHECKER]?: SocketChecker }

/**
 * Feeds HTTP probes to the tracker, identifying a keep-alive checker once per connection instead of
 * once per request: a connection's source address cannot change, so later probes on it only compare
 * the user agent with the first one's and record the probe on the remembered checker (no key string,
 * no Observation, no `req.headers` object built from the raw headers). Every probe is still recorded,
 * with its time and answer; a changed user agent or a checker dropped from the tracker (TTL, eviction)
 * is identified again, exactly as the first probe was.
 */
class ProbeObserver {
  readonly #tracker: CheckerTracker

  constructor (tracker: CheckerTracker) { this.#tracker = tracker }

  observe (req: IncomingMessage, available: boolean, answer: string, at: number): void {
    const socket = req.socket as TaggedSocket
    const ua = userAgent(req.rawHeaders)
    const known = socket[CHECKER]
    if (known !== undefined && known.userAgent === ua && this.#tracker.observeAgain(known.handle, available, answer, at)) return
    const handle = this.#tracker.observe({ source: socket.remoteAddress ?? 'unknown', kind: 'http', userAgent: ua, available, answer, at })
    socket[CHECKER] = { userAgent: ua, handle }
  }
}

/** The first User-Agent header, as `req.headers['user-agent']` would give it (node keeps the first of duplicates). */
export function userAgent (raw: readonly string[]): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (name !== undefined && name.length === 10 && name.toLowerCase() === 'user-agent') return raw[i + 1]
  }
  return undefined
}
