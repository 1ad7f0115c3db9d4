import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface EventStreamOptions {
  /** streams open at once (--events-max-clients); the route answers 503 beyond */
  readonly maxClients: number
  /** one comment line to every stream this often (proxies and browsers see a live connection) */
  readonly heartbeatMs?: number
  /** what each stream tells EventSource to wait before reconnecting */
  readonly retryMs?: number
  /** kept events a client resuming with Last-Event-ID can be sent */
  readonly ringSize?: number
  /** a stream with more than this waiting in its socket's buffer is not reading: it is closed */
  readonly maxBufferedBytes?: number
  /** the number of open streams, after each change (the emqx_lb_sidecar_event_streams gauge) */
  readonly onCount?: (open: number) => void
}

export const DEFAULT_HEARTBEAT_MS = 15_000
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024

interface Kept { readonly seq: number, readonly frame: string }

/** One server-sent event: `id:`, `event:`, one `data:` line (JSON has no raw newline), a blank line. */
export function frame (id: string, name: string, data: string): string {
  return `id: ${id}\nevent: ${name}\ndata: ${data}\n\n`
}

/**
 * The server-sent event streams of GET /events: bounded in number, each a raw response (no fastify reply
 * after the hijack). Idle streams cost one entry in a Set: no timer per stream, one shared heartbeat that
 * runs only while streams are open and never holds the process. A stream that does not read is closed at
 * the next event once its socket holds more than `maxBufferedBytes`, so nothing is buffered without limit.
 *
 * Event ids are `<boot>-<seq>`: the boot part changes with each process, so a browser resuming against a
 * restarted sidecar is recognised (its id is not ours) and gets a full snapshot instead of a wrong replay.
 * The events published with `keep` (the transitions) are kept in a ring for clients resuming with Last-Event-ID.
 */
export class EventStreams {
  readonly #o: Required<Omit<EventStreamOptions, 'onCount'>> & Pick<EventStreamOptions, 'onCount'>
  readonly #clients = new Set<ServerResponse>()
  readonly #ring: Kept[] = []
  readonly #boot = randomBytes(4).toString('hex')
  #seq = 0
  /** every kept event from this sequence number on is still in the ring */
  #ringFrom = 1
  #heartbeat: NodeJS.Timeout | undefined
  #closed = false

  constructor (o: EventStreamOptions) {
    this.#o = {
      heartbeatMs: DEFAULT_HEARTBEAT_MS,
      retryMs: 2000,
      ringSize: 64,
      maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
      ...o,
    }
  }

  get size (): number { return this.#clients.size }
  get full (): boolean { return this.#closed || this.#clients.size >= this.#o.maxClients }
  get maxClients (): number { return this.#o.maxClients }
  /** whether the shared heartbeat timer runs (only while a stream is open) */
  get heartbeating (): boolean { return this.#heartbeat !== undefined }
  /** the id of the last event published (what a snapshot sent now is current to) */
  get lastId (): string { return `${this.#boot}-${this.#seq}` }

  /**
   * The kept events after `lastEventId`, or undefined when they cannot be told: no id, another process's id,
   * an id from the future, or one older than the ring. The caller then sends a full snapshot.
   */
  missedSince (lastEventId: string | undefined): string[] | undefined {
    if (lastEventId === undefined) return undefined
    const m = /^([0-9a-f]+)-(\d+)$/.exec(lastEventId.trim())
    if (m === null || m[1] !== this.#boot) return undefined
    const seq = Number(m[2])
    if (seq > this.#seq || seq < this.#ringFrom - 1) return undefined
    return this.#ring.filter((k) => k.seq > seq).map((k) => k.frame)
  }

  /**
   * Starts a stream on a raw response (after reply.hijack()): headers, the retry line, then `first`
   * (the snapshot or the missed events). Returns false when the stream was refused or dropped at once.
   */
  open (req: IncomingMessage, res: ServerResponse, first: readonly string[]): boolean {
    if (this.full) return false
    // the listener's idle timeout is for requests; a stream is idle between events by design
    req.socket.setTimeout(0)
    req.socket.setNoDelay(true)
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // one stream per connection: when it ends (shutdown), the socket goes with it
      connection: 'close',
      // nginx and similar proxies would otherwise hold events back
      'x-accel-buffering': 'no',
    })
    this.#clients.add(res)
    res.once('close', () => { this.#remove(res) })
    this.#count()
    if (this.#heartbeat === undefined) {
      this.#heartbeat = setInterval(() => { this.#broadcast(': heartbeat\n\n') }, this.#o.heartbeatMs)
      this.#heartbeat.unref()
    }
    return this.#write(res, `retry: ${this.#o.retryMs}\n\n${first.join('')}`)
  }

  /** The frame of an event as the next one in sequence, without sending it: for a snapshot sent to one client. */
  current (name: string, data: string): string { return frame(this.lastId, name, data) }

  /** Sends an event to every open stream; `keep` puts it in the ring for clients resuming later. */
  publish (name: string, data: string, keep: boolean): void {
    this.#seq++
    const f = frame(this.lastId, name, data)
    if (keep) {
      this.#ring.push({ seq: this.#seq, frame: f })
      if (this.#ring.length > this.#o.ringSize) this.#ringFrom = (this.#ring.shift()?.seq ?? 0) + 1
    }
    this.#broadcast(f)
  }

  /** Ends every stream and refuses new ones (the app is closing): no stream keeps the process up. */
  closeAll (): void {
    this.#closed = true
    for (const res of [...this.#clients]) {
      res.end()
      this.#remove(res)
    }
  }

  #broadcast (text: string): void {
    for (const res of [...this.#clients]) this.#write(res, text)
  }

  /**
   * Writes to one stream, unless it has stopped reading: when what was written before still waits in its
   * buffer past the bound (write() said the socket was full, and it did not drain since), it is destroyed.
   * So a stream holds at most the bound plus one event, however large one event is.
   */
  #write (res: ServerResponse, text: string): boolean {
    if (res.destroyed || res.writableEnded) { this.#remove(res); return false }
    if (res.writableNeedDrain && res.writableLength > this.#o.maxBufferedBytes) {
      res.destroy()
      this.#remove(res)
      return false
    }
    res.write(text)
    return true
  }

  #remove (res: ServerResponse): void {
    if (!this.#clients.delete(res)) return
    this.#count()
    if (this.#clients.size === 0 && this.#heartbeat !== undefined) {
      clearInterval(this.#heartbeat)
      this.#heartbeat = undefined
    }
  }

  #count (): void { this.#o.onCount?.(this.#clients.size) }
}
