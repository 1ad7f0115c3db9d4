import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Snapshot } from '../../state/model.js'
import type { Store } from '../../state/store.js'
import type { StatusDocument } from '../views/status-types.js'
import { causeOf, transitionKey, transitionView, type TransitionView } from '../views/transitions.js'
import type { PageView } from '../views/ui-view.js'
import { ProgressHistory } from '../views/progress-history.js'
import { UI_CSP, uiPage } from '../views/ui-page.js'
import { pageView } from '../views/ui-view.js'
import { EventStreams, type EventStreamOptions } from './event-stream.js'

export interface LiveOptions extends Omit<EventStreamOptions, 'maxClients'> {
  readonly store: Store
  /** the /status document now (statusDocument with the app's tracker, acknowledgement and cluster settings) */
  readonly render: (now: number) => StatusDocument
  /** --events-max-clients */
  readonly maxClients: number
  /** progress (a status event without a transition) at most this often */
  readonly progressMs?: number
}

/** Entries of the timeline a new page is sent. */
const TIMELINE_LENGTH = 30

/**
 * Follows the store for GET /events. A change of what is served (state, reason, evacuation phase, drain
 * switches) is a `transition` event followed by a `status` event and a `view` event (the live page's
 * content, ../views/ui-view.ts), written in the same tick the store
 * changed (a microtask after its synchronous `update` event, so the listeners before it, e.g. the drain
 * acknowledgement, have run and several updates of one step go out as one), before any probe can be
 * answered from the new state. Anything else is progress: a `status` and a `view` event at most once per `progressMs`,
 * and only while a stream is open. Transitions are kept (timeline, resume ring) even with no stream open.
 */
export class StatusFeed {
  readonly #o: LiveOptions
  readonly streams: EventStreams
  readonly #timeline: TransitionView[] = []
  readonly #history = new ProgressHistory()
  #key: string
  #state: Snapshot['state']
  #queued = false
  #progress: NodeJS.Timeout | undefined
  #lastStatusAt = Number.NEGATIVE_INFINITY

  constructor (o: LiveOptions) {
    this.#o = o
    this.streams = new EventStreams(o)
    const s = o.store.current
    this.#key = transitionKey(s)
    this.#state = s.state
    this.#timeline.push(transitionView(s, true, Date.now()))
    this.#history.record(s, Date.now())
    o.store.on('update', () => {
      if (this.#queued) return
      this.#queued = true
      queueMicrotask(() => { this.#flush() })
    })
  }

  get timeline (): readonly TransitionView[] { return this.#timeline }

  /** The live page's content now, from the same snapshot the probes answer (what GET /ui serves). */
  view (now: number, doc = this.#o.render(now)): PageView {
    return pageView(doc, this.#timeline, this.#history, now)
  }

  /**
   * What a stream is sent first: the events it missed, or (new, or too far behind) the timeline; then the
   * status now and the page's view of it.
   */
  firstFrames (lastEventId: string | undefined): string[] {
    const missed = this.streams.missedSince(lastEventId)
    const now = Date.now()
    const doc = this.#o.render(now)
    const current = [this.streams.current('status', JSON.stringify(doc)), this.streams.current('view', JSON.stringify(this.view(now, doc)))]
    if (missed !== undefined) return [...missed, ...current]
    return [this.streams.current('timeline', JSON.stringify(this.#timeline)), ...current]
  }

  /** Stops the progress timer and ends every stream (the app is closing). */
  close (): void {
    clearTimeout(this.#progress)
    this.#progress = undefined
    this.streams.closeAll()
  }

  #flush (): void {
    this.#queued = false
    const s = this.#o.store.current
    const now = Date.now()
    this.#history.record(s, now)
    const key = transitionKey(s)
    if (key === this.#key) { this.#refineCause(s); this.#progressSoon(now); return }
    const t = transitionView(s, this.#state !== s.state, now)
    this.#key = key
    this.#state = s.state
    this.#timeline.push(t)
    if (this.#timeline.length > TIMELINE_LENGTH) this.#timeline.shift()
    this.streams.publish('transition', JSON.stringify(t), true)
    this.#status(now)
  }

  /** The current entry's cause once the snapshot knows more (which process made EMQX answer 503). */
  #refineCause (s: Snapshot): void {
    const last = this.#timeline[this.#timeline.length - 1]
    const cause = causeOf(s)
    if (last !== undefined && last.cause !== cause) this.#timeline[this.#timeline.length - 1] = { ...last, cause }
  }

  #progressSoon (now: number): void {
    if (this.streams.size === 0 || this.#progress !== undefined) return
    const wait = this.#lastStatusAt + (this.#o.progressMs ?? 1000) - now
    if (wait <= 0) { this.#status(now); return }
    this.#progress = setTimeout(() => { this.#progress = undefined; this.#status(Date.now()) }, wait)
    this.#progress.unref()
  }

  #status (now: number): void {
    clearTimeout(this.#progress)
    this.#progress = undefined
    if (this.streams.size === 0) return
    this.#lastStatusAt = now
    const doc = this.#o.render(now)
    this.streams.publish('status', JSON.stringify(doc), false)
    this.streams.publish('view', JSON.stringify(this.view(now, doc)), false)
  }
}

/** GET /ui (the live page) and GET /events (its server-sent events); read-only, like /status. */
export function registerLive (app: FastifyInstance, o: LiveOptions): StatusFeed {
  const feed = new StatusFeed(o)
  app.addHook('preClose', async () => { feed.close() })
  app.addHook('onClose', async () => { feed.close() })

  app.route({
    method: ['GET', 'HEAD'],
    url: '/ui',
    handler: async (req, reply) => {
      const page = uiPage(feed.view(Date.now()), stillFrame(req))
      reply.type('text/html; charset=utf-8')
        .header('content-security-policy', UI_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
      if (req.method === 'HEAD') await reply.header('content-length', Buffer.byteLength(page)).send()
      else await reply.send(page)
    },
  })
  app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url: '/ui', handler: notAllowed('GET, HEAD') })

  app.get('/events', async (req, reply) => {
    if (feed.streams.full) {
      await reply.code(503).type('application/json').send(JSON.stringify({
        error: 'too_many_event_streams',
        max: feed.streams.maxClients,
        message: `${feed.streams.maxClients} event streams are open (--events-max-clients); try again later`,
      }))
      return
    }
    reply.hijack()
    feed.streams.open(req.raw, reply.raw, feed.firstFrames(lastEventId(req)))
  })
  app.route({ method: ['HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url: '/events', handler: notAllowed('GET') })
  return feed
}

/** `/ui?still` (any value): one still frame, without the stream. */
function stillFrame (req: FastifyRequest): boolean {
  return (req.query as Record<string, unknown> | undefined)?.still !== undefined
}

/** EventSource sends Last-Event-ID itself when it reconnects; the page passes it in the query when it opens a new one. */
function lastEventId (req: FastifyRequest): string | undefined {
  const header = req.headers['last-event-id']
  if (typeof header === 'string' && header !== '') return header
  const q = (req.query as Record<string, unknown> | undefined)?.last_event_id
  return typeof q === 'string' && q !== '' ? q : undefined
}

function notAllowed (allow: string) {
  return async (_req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await reply.code(405).header('allow', allow).type('application/json').send(JSON.stringify({ error: 'method_not_allowed', allow }))
  }
}
