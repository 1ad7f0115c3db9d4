import { readFileSync } from 'node:fs'
import { Pool, type Dispatcher } from 'undici'
import type { EmqxConfig } from '../config/serve-types.js'
import { classifyTransportError, errorCode, timeoutError } from '../transport-error.js'
import { failure, type CheckOutcome } from './outcome.js'
import type { RawAnswer } from './parse.js'

/** EMQX answers are tiny; anything bigger is not EMQX (or is hostile) and is cut off. */
export const MAX_BODY_BYTES = 64 * 1024

export type HttpResult = { ok: true, answer: RawAnswer, durationMs: number } | { ok: false, outcome: CheckOutcome, durationMs: number }

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
    this.#authHeader = config.username !== undefined && config.password !== undefined
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
    const started = performance.now()
    const prefix = base.pathname.replace(/\/+$/, '')
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'emqx-lb-sidecar' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (this.#authHeader !== undefined) headers.authorization = this.#authHeader
    const options: Dispatcher.DispatchOptions = { method, path: prefix + path, headers, ...(body !== undefined ? { body } : {}) }
    try {
      let answer: Answer
      try { answer = await exchange(this.#pool(base.origin), options, this.#config.timeoutMs) } catch (err) {
        // When EMQX stops or restarts it closes every kept-alive connection, and the next request on
        // one fails with a reset before any answer. GET is idempotent: drop the pool (all its
        // connections are suspect) and retry once on a fresh connection within the same deadline, so
        // a stale connection is not reported as a broken EMQX (which resets the retry as well).
        // A POST (evacuation start/stop) is never sent twice.
        if (method !== 'GET' || !isReset(err)) throw err
        this.#dropPool(base.origin)
        // the retry gets what is left of the one deadline: connect, headers and body of both together
        answer = await exchange(this.#pool(base.origin), options, Math.max(0, started + this.#config.timeoutMs - performance.now()))
      }
      if (answer.body === undefined) {
        const outcome = failure('body_too_large', `EMQX answer exceeds ${MAX_BODY_BYTES} bytes`, answer.status)
        return { ok: false, outcome, durationMs: performance.now() - started }
      }
      return { ok: true, answer: { status: answer.status, body: answer.body }, durationMs: performance.now() - started }
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

/** EMQX's status and body; no body when it is over MAX_BODY_BYTES (the status is still named). */
interface Answer { readonly status: number, readonly body: string | undefined }

/**
 * One request through undici's dispatch API, which hands the body over in callbacks: no Readable and
 * no async iterator per poll. A Readable of undici's body class, once a second, runs node's stream code
 * with other shapes than the probes' node:http messages, and V8 throws away and recompiles that code the
 * probes keep hot (bench/README.md, "CPU per probe"). Rejects with undici's error, or with a TimeoutError
 * after `ms`. The cap is checked here rather than by undici's maxResponseSize, which fails the request
 * before its status is known: the outcome names the status EMQX sent with the oversized body.
 */
async function exchange (pool: Dispatcher, options: Dispatcher.DispatchOptions, ms: number): Promise<Answer> {
  return await new Promise<Answer>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined
    let settled = false
    let status = 0
    let size = 0
    const chunks: Buffer[] = []
    const settle = (end: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      end()
    }
    // undici closes the connection; its late callbacks find the promise settled
    const tooLarge = (c: Dispatcher.DispatchController): void => {
      settle(() => { resolve({ status, body: undefined }) })
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
        if (Number(headers['content-length'] ?? 0) > MAX_BODY_BYTES) tooLarge(c)
      },
      onResponseData (c, chunk) {
        size += chunk.length
        if (size > MAX_BODY_BYTES) tooLarge(c)
        else chunks.push(chunk)
      },
      onResponseEnd () { settle(() => { resolve({ status, body: Buffer.concat(chunks).toString('utf8') }) }) },
      onResponseError (_c, err) { settle(() => { reject(err) }) },
    })
  })
}
