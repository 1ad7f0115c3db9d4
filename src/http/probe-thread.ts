import type { FastifyInstance } from 'fastify'
import { MessageChannel, Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import type { HttpLimits } from '../config/serve-config.js'
import { LogCodes } from '../errors.js'
import type { Metrics } from '../metrics/registry.js'
import type { CheckerHandle, ProberTracker } from '../probers/tracker.js'
import type { Store } from '../state/store.js'
import { cachedProbeAnswer, type ProbeAnswer } from './availability.js'
import { warnOnceAtLimit } from './limits.js'
import { monotonicMs, SHARED_BYTES, SHARED_CLOCK, SHARED_VERSION, type AnswerUpdate, type FromWorker, type ProbeBatch, type ProbeWorkerData, type ToWorker } from './probe-protocol.js'

// Built (dist/): the .js next to this file, and none of the main thread's node options (a --import
// preload, as the bench's, must not run twice; V8 flags apply to the whole process anyway). Run from
// the TypeScript sources (the tests): the .ts, under the same loader options as this thread.
const FROM_SOURCE = import.meta.url.endsWith('.ts')
const workerUrl = new URL(FROM_SOURCE ? './probe-worker.ts' : './probe-worker.js', import.meta.url)
const workerExecArgv = FROM_SOURCE ? process.execArgv : []

/** how often, at most, the main thread writes the shared clock the probe thread checks (an idle sidecar wakes for it) */
const TICK_MS = 1000
/**
 * The main thread not running for this long makes every probe a 503: an answer the sidecar can no
 * longer vouch for is not given. Its clock is written every second, so a running main thread is at
 * most a second (plus whatever one task takes) behind. Far above a GC pause or a large /metrics
 * scrape, far below the 10-60 s EMQX waits (wait_health_check) before evicting.
 */
export const DEFAULT_STALL_MS = 3000

export interface ProbeThreadOptions {
  readonly host: string
  readonly port: number
  readonly backlog: number
  readonly limits: HttpLimits
  readonly store: Store
  readonly metrics: Metrics
  readonly tracker?: ProberTracker | undefined
  /** answers every request that is not a probe (inject()): /status, /metrics, /livez, admin endpoints, 404s */
  readonly app: FastifyInstance
  readonly log: Logger
  /** idle timeout of a connection waiting for the app's answer (GET /prestop blocks for the evacuation) */
  readonly forwardTimeoutMs: number
  readonly stallMs?: number
  /** the thread failed after it was listening: the caller ends the process (all or nothing) */
  readonly onFailure: (err: Error) => void
  /** the thread's code; tests substitute a failing one */
  readonly workerUrl?: URL
}

export interface ProbeThread {
  readonly port: number
  /** stops accepting, lets busy connections finish, hands over the last probes recorded, ends the thread */
  close: () => Promise<void>
}

/**
 * Starts the sidecar's HTTP listener on its own thread (probe-worker.ts) and keeps it fed: the probe
 * answer on every snapshot change, the clock it checks for a stalled main thread, and the answers of
 * the fastify app for everything that is not a probe. What the thread records comes back in batches
 * for the tracker and the probe counter, exactly as if the probes had been answered here.
 * Rejects with the listen error (its `code`, e.g. EADDRINUSE) when the port cannot be opened.
 */
export async function startProbeThread (o: ProbeThreadOptions): Promise<ProbeThread> {
  const stallMs = o.stallMs ?? DEFAULT_STALL_MS
  const shared = new SharedArrayBuffer(SHARED_BYTES)
  const clock = new Float64Array(shared, SHARED_CLOCK, 1)
  const version = new Int32Array(shared, SHARED_VERSION, 1)
  clock[0] = monotonicMs()
  // several writes within the stall bound, so a running main thread never looks stalled between two
  const ticker = setInterval(() => { clock[0] = monotonicMs() }, Math.min(TICK_MS, Math.floor(stallMs / 3)))
  ticker.unref()

  const answers = new MessageChannel()
  let posted: ProbeAnswer = cachedProbeAnswer(o.store.current)
  const data: ProbeWorkerData = { host: o.host, port: o.port, backlog: o.backlog, limits: o.limits, answer: posted, shared, answers: answers.port2, stallMs, forwardTimeoutMs: o.forwardTimeoutMs }
  const worker = new Worker(o.workerUrl ?? workerUrl, { workerData: data, transferList: [answers.port2], execArgv: workerExecArgv, stdout: false, stderr: false })
  const send = (m: ToWorker): void => { worker.postMessage(m) }

  // Synchronous with the store: the answer is queued, then the version raised, so the very next
  // probe the thread answers (it checks the version) already gets it.
  const onUpdate = (): void => {
    const a = cachedProbeAnswer(o.store.current)
    if (a === posted) return
    posted = a
    const next = Atomics.load(version, 0) + 1
    const update: AnswerUpdate = { version: next, answer: a }
    answers.port1.postMessage(update)
    Atomics.store(version, 0, next)
  }
  o.store.on('update', onUpdate)

  const recorder = new BatchRecorder(o.metrics, o.tracker)
  const warnAtLimit = warnOnceAtLimit(o.log, LogCodes.HTTP_CONNECTION_LIMIT, 'HTTP', o.limits.maxConnections)
  let closing = false
  let listening = false
  let settle: { resolve: (port: number) => void, reject: (err: Error) => void } | undefined
  let closed: (() => void) | undefined
  const done = new Promise<void>((resolve) => { worker.once('exit', () => { resolve() }) })

  const stop = (): void => {
    clearInterval(ticker)
    o.store.off('update', onUpdate)
    answers.port1.close()
  }
  let failed = false
  const fail = (err: Error): void => {
    if (failed || closing) return
    failed = true
    stop()
    if (!listening) { settle?.reject(err); return }
    o.log.fatal({ err, code: LogCodes.PROBE_THREAD_FAILED }, `the HTTP listener's thread failed: ${err.message}`)
    o.onFailure(err)
  }
  worker.on('error', fail)
  worker.on('exit', (code) => { fail(new Error(`the probe thread exited (code ${code})`)) })

  worker.on('message', (m: FromWorker) => {
    switch (m.type) {
      case 'listening': listening = true; settle?.resolve(m.port); break
      case 'listen-failed': settle?.reject(Object.assign(new Error(m.message), { code: m.code })); break
      case 'batch':
        recorder.apply(m)
        if (m.dropped > 0) { o.metrics.connectionDropped('http', m.dropped); warnAtLimit() }
        break
      case 'forward': void answerForwarded(o.app, m, send); break
      case 'stall-ended':
        o.log.warn({ code: LogCodes.MAIN_THREAD_STALLED, stalledMs: m.stalledMs, probes: m.probes, stallMs },
          `the sidecar's main thread did not run for about ${m.stalledMs}ms (over ${stallMs}ms): ${m.probes} probes were answered 503 (sidecar_stalled) meanwhile`)
        break
      case 'closed': closed?.(); break
    }
  })

  let port: number
  try {
    port = await new Promise<number>((resolve, reject) => { settle = { resolve, reject } })
  } catch (err) {
    stop()
    await worker.terminate()
    throw err
  }

  let closing$: Promise<void> | undefined
  const close = async (): Promise<void> => {
    closing$ ??= (async () => {
      closing = true
      const drained = new Promise<void>((resolve) => { closed = resolve })
      send({ type: 'close' })
      await Promise.race([drained, done])
      stop()
      await worker.terminate()
    })()
    await closing$
  }
  return { port, close }
}

/** Replays a batch into the tracker and the probe counter, identifying each connection's checker once. */
export class BatchRecorder {
  readonly #metrics: Metrics
  readonly #tracker: ProberTracker | undefined
  readonly #slots = new Map<number, { readonly source: string, readonly userAgent: string | undefined, handle: CheckerHandle | undefined }>()

  constructor (metrics: Metrics, tracker: ProberTracker | undefined) {
    this.#metrics = metrics
    this.#tracker = tracker
  }

  /** connections the recorder still knows (bounded by the listener's open connections) */
  get slots (): number { return this.#slots.size }

  apply (b: ProbeBatch): void {
    const code = b.status === 200 ? '200' : '503'
    const available = b.status === 200
    const n = b.events.length / 2
    if (n > 0) this.#metrics.probe('http', code, n)
    for (const [slot, source, ua] of b.idents) this.#slots.set(slot, { source, userAgent: ua ?? undefined, handle: undefined })
    const tracker = this.#tracker
    if (tracker !== undefined) {
      const e = b.events
      for (let i = 0; i < e.length; i += 2) {
        const s = this.#slots.get(e[i] as number)
        if (s === undefined) continue
        const at = e[i + 1] as number
        if (s.handle !== undefined && tracker.observeAgain(s.handle, available, code, at)) continue
        s.handle = tracker.observe({ source: s.source, kind: 'http', userAgent: s.userAgent, available, answer: code, at })
      }
    }
    for (const slot of b.closed) this.#slots.delete(slot)
  }
}

/** A request the probe thread does not answer itself, answered by the app and sent back. */
async function answerForwarded (app: FastifyInstance, m: Extract<FromWorker, { type: 'forward' }>, send: (m: ToWorker) => void): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  // the body arrives whole: its framing headers described the connection, not this copy
  for (const [k, v] of Object.entries(m.headers)) if (v !== undefined && k !== 'content-length' && k !== 'transfer-encoding') headers[k] = v
  try {
    const r = await app.inject({
      method: m.method as 'GET',
      url: m.url,
      headers,
      ...(m.body.length > 0 ? { payload: Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength) } : {}),
      ...(m.remoteAddress !== undefined ? { remoteAddress: m.remoteAddress } : {}),
    })
    // a copy of exactly the payload: a pooled Buffer would post its whole pool
    send({ type: 'reply', id: m.id, status: r.statusCode, headers: r.headers as Record<string, string | string[]>, body: new Uint8Array(r.rawPayload) })
  } catch {
    const body = Buffer.from('{"error":"internal_error"}')
    send({ type: 'reply', id: m.id, status: 500, headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'cache-control': 'no-store' }, body })
  }
}
