import { readFileSync } from 'node:fs'
import { Pool, type Dispatcher } from 'undici'
import type { EmqxConfig } from '../config/serve-types.js'
import { classifyTransportError, errorCode, timeoutError } from '../transport-error.js'
import { failure, type CheckOutcome } from './outcome.js'
import type { RawAnswer } from './parse.js'

/** Whether the sidecar has EMQX API credentials to send (a key and its secret, or 4.4's AppID and AppSecret): both set. */
export function hasCredentials<C extends Pick<EmqxConfig, 'username' | 'password'>> (config: C):
  config is C & { username: string, password: NonNullable<C['password']> } {
  return config.username !== undefined && config.password !== undefined
}

/** EMQX's JSON answers are tiny; anything bigger is not EMQX (or is hostile) and is cut off. */
export const MAX_BODY_BYTES = 64 * 1024

export type HttpResult = { ok: true, answer: RawAnswer, durationMs: number } | { ok: false, outcome: CheckOutcome, durationMs: number }

/**
 * How an answer's body is taken, chunk by chunk as undici hands it over: kept whole (`keepBody`, the
 * JSON answers) or scanned as it streams in, so an answer larger than anything worth keeping (the
 * Prometheus exposition: src/emqx/prometheus-scan.ts) costs no memory beyond the reader's own. More
 * than `maxBytes` in all ends the request as `body_too_large`.
 */
export interface BodyReader<T> {
  readonly maxBytes: number
  data: (chunk: Buffer) => void
  end: () => T
}

/** A scanned answer: EMQX's status and what the reader made of the body. */
export type ScanResult<T> =
  | { ok: true, status: number, value: T, durationMs: number }
  | { ok: false, outcome: CheckOutcome, durationMs: number }

export interface ScanOptions<T> {
  /** the Accept header (default `application/json`): EMQX picks some formats by it (emqx_prometheus_api.erl) */
  readonly accept?: string
  /** a fresh reader per attempt (a GET retried on a stale connection starts over) */
  readonly reader: () => BodyReader<T>
}

/** The default reader: the body kept whole, as text, up to MAX_BODY_BYTES. */
export function keepBody (maxBytes = MAX_BODY_BYTES): BodyReader<string> {
  const chunks: Buffer[] = []
  return { maxBytes, data: (c) => { chunks.push(c) }, end: () => Buffer.concat(chunks).toString('utf8') }
}

/**
 * Thin HTTP layer over undici: one keep-alive pool per origin, a hard deadline per request
 * (connect, headers and body together), a capped body, no redirects followed (so credentials
 * never reach another host), and transport errors turned into failure outcomes instead of throws.
 */
export class EmqxHttp {
  readonly #pools = new Map<string, Pool>()
  readonly #config: EmqxConfig
  readonly #authHeader: string | undefined
  readonly #ca: string | undefined

  constructor (config: EmqxConfig) {
    this.#config = config
    this.#authHeader = hasCredentials(config)
      ? `Basic ${Buffer.from(`${config.username}:${config.password.reveal()}`).toString('base64')}`
      : undefined
    this.#ca = config.caFile !== undefined ? readFileSync(config.caFile, 'utf8') : undefined
  }

  get hasCredentials (): boolean { return this.#authHeader !== undefined }

  #pool (origin: string): Pool {
    let pool = this.#pools.get(origin)
    if (pool === undefined) {
      const t = this.#config.timeoutMs
      pool = new Pool(origin, {
        connections: 4,
        pipelining: 1,
        keepAliveTimeout: 10_000,
        keepAliveMaxTimeout: 30_000,
        headersTimeout: t,
        bodyTimeout: t,
        connect: { timeout: t, ...(this.#ca !== undefined ? { ca: this.#ca } : {}) },
      })
      this.#pools.set(origin, pool)
    }
    return pool
  }

  /** GET base + path. Never throws: every error becomes a failure outcome. */
  async get (base: URL, path: string): Promise<HttpResult> {
    return await this.request('GET', base, path)
  }

  /** POST base + path with a JSON body (evacuation start/stop). Never throws. */
  async post (base: URL, path: string, body: unknown): Promise<HttpResult> {
    return await this.request('POST', base, path, JSON.stringify(body))
  }

  async request (method: 'GET' | 'POST', base: URL, path: string, body?: string): Promise<HttpResult> {
    const r = await this.#exchange(method, base, path, { reader: () => keepBody() }, body)
    return r.ok ? { ok: true, answer: { status: r.status, body: r.value }, durationMs: r.durationMs } : r
  }

  /** GET base + path, the body read by `o.reader` as it streams in. Never throws. */
  async scan<T> (base: URL, path: string, o: ScanOptions<T>): Promise<ScanResult<T>> {
    return await this.#exchange('GET', base, path, o)
  }

  async #exchange<T> (method: 'GET' | 'POST', base: URL, path: string, o: ScanOptions<T>, body?: string): Promise<ScanResult<T>> {
    const started = performance.now()
    const prefix = base.pathname.replace(/\/+$/, '')
    const headers: Record<string, string> = { accept: o.accept ?? 'application/json', 'user-agent': 'emqx-lb-sidecar' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (this.#authHeader !== undefined) headers.authorization = this.#authHeader
    const options: Dispatcher.DispatchOptions = { method, path: prefix + path, headers, ...(body !== undefined ? { body } : {}) }
    try {
      let reader = o.reader()
      let answer: Answer
      try { answer = await exchange(this.#pool(base.origin), options, this.#config.timeoutMs, reader) } catch (err) {
        // When EMQX stops or restarts it closes every kept-alive connection, and the next request on
        // one fails with a reset before any answer. GET is idempotent: drop the pool (all its
        // connections are suspect) and retry once on a fresh connection within the same deadline, so
        // a stale connection is not reported as a broken EMQX (which resets the retry as well).
        // A POST (evacuation start/stop) is never sent twice.
        if (method !== 'GET' || !isReset(err)) throw err
        this.#dropPool(base.origin)
        reader = o.reader()
        // the retry gets what is left of the one deadline: connect, headers and body of both together
        answer = await exchange(this.#pool(base.origin), options, Math.max(0, started + this.#config.timeoutMs - performance.now()), reader)
      }
      if (!answer.complete) {
        const outcome = failure('body_too_large', `EMQX answer exceeds ${reader.maxBytes} bytes`, answer.status)
        return { ok: false, outcome, durationMs: performance.now() - started }
      }
      return { ok: true, status: answer.status, value: reader.end(), durationMs: performance.now() - started }
    } catch (err) {
      return { ok: false, outcome: classifyError(err, this.#config.timeoutMs), durationMs: performance.now() - started }
    }
  }

  #dropPool (origin: string): void {
    const pool = this.#pools.get(origin)
    this.#pools.delete(origin)
    // close(), not destroy(): a request still running on this pool (the node status read beside a check)
    // finishes or fails on its own instead of being cut off as "destroyed"
    pool?.close().catch(() => undefined)
  }

  async close (): Promise<void> {
    const pools = [...this.#pools.values()]
    this.#pools.clear()
    await Promise.all(pools.map(async (p) => await p.destroy().catch(() => undefined)))
  }
}

/** A stale keep-alive connection closed under a request: the one error a GET is retried on. */
function isReset (err: unknown): boolean {
  const code = errorCode(err)
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET'
}

/** undici/socket error -> failure outcome. Messages name the error code, never the request's headers. */
function classifyError (err: unknown, timeoutMs: number): CheckOutcome {
  const { reason, what } = classifyTransportError(err)
  return failure(reason, reason === 'timeout' ? `no complete answer from EMQX within ${timeoutMs}ms` : `EMQX request failed: ${what}`)
}

/** EMQX's status, and whether the whole body went to the reader (not when it was over the reader's cap). */
interface Answer { readonly status: number, readonly complete: boolean }

/**
 * One request through undici's dispatch API, which hands the body over in callbacks: no Readable and
 * no async iterator per poll. A Readable of undici's body class, once a second, runs node's stream code
 * with other shapes than the probes' node:http messages, and V8 throws away and recompiles that code the
 * probes keep hot (bench/README.md, "CPU per probe"). Rejects with undici's error, or with a TimeoutError
 * after `ms`. The cap is checked here rather than by undici's maxResponseSize, which fails the request
 * before its status is known: the outcome names the status EMQX sent with the oversized body.
 */
async function exchange (pool: Dispatcher, options: Dispatcher.DispatchOptions, ms: number, reader: BodyReader<unknown>): Promise<Answer> {
  return await new Promise<Answer>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined
    let settled = false
    let status = 0
    let size = 0
    const settle = (end: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      end()
    }
    // undici closes the connection; its late callbacks find the promise settled
    const tooLarge = (c: Dispatcher.DispatchController): void => {
      settle(() => { resolve({ status, complete: false }) })
      c.abort(new Error('EMQX answer too large'))
    }
    const timer = setTimeout(() => {
      const err = timeoutError(ms)
      settle(() => { reject(err) })
      controller?.abort(err)
    }, ms)
    timer.unref()
    pool.dispatch(options, {
      onRequestStart (c) {
        controller = c
        // the deadline passed while the request waited for a connection
        if (settled) c.abort(timeoutError(ms))
      },
      onResponseStart (c, statusCode, headers) {
        status = statusCode
        // a declared length over the cap is refused before a byte of it is read
        if (Number(headers['content-length'] ?? 0) > reader.maxBytes) tooLarge(c)
      },
      onResponseData (c, chunk) {
        if (settled) return
        size += chunk.length
        if (size > reader.maxBytes) tooLarge(c)
        else reader.data(chunk)
      },
      onResponseEnd () { settle(() => { resolve({ status, complete: true }) }) },
      onResponseError (_c, err) { settle(() => { reject(err) }) },
    })
  })
}
