import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { CheckerHandle, CheckerTracker } from '../../checkers/tracker.js'

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
export class ProbeObserver {
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
