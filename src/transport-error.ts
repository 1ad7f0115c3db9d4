import type { FailureReason } from './errors.js'

/**
 * Why a request over undici got no answer: shared by the EMQX client (src/emqx/http.ts) and nginx-sync's
 * probes of the sidecars (src/nginx/probe.ts), so both name a refused, timed-out or reset peer alike.
 * The classification is pure; it reads only the error's code and name (on it or its cause), never a
 * request's headers. A timeout is a TimeoutError from either's own deadline.
 */
export interface TransportFailure {
  readonly reason: FailureReason
  /** the error code, else its name: what a message may show */
  readonly what: string
}

/** The socket or undici error code, on the error or its cause ('' when none). */
export function errorCode (err: unknown): string {
  const e = err as { code?: unknown, cause?: { code?: unknown } } | null | undefined
  const code = e?.code ?? e?.cause?.code
  return typeof code === 'string' ? code : ''
}

const TLS_CODE = /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_|EPROTO/

export function classifyTransportError (err: unknown): TransportFailure {
  const code = errorCode(err)
  const rawName = (err as { name?: unknown } | null | undefined)?.name
  const name = typeof rawName === 'string' ? rawName : ''
  let reason: FailureReason
  const aborted = name === 'TimeoutError' || name === 'AbortError' || code === 'ABORT_ERR'
  if (aborted || code.endsWith('_TIMEOUT') || code === 'ETIMEDOUT') reason = 'timeout'
  else if (code === 'ECONNREFUSED') reason = 'refused'
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reason = 'dns'
  else if (TLS_CODE.test(code)) reason = 'tls'
  else if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') reason = 'reset'
  else reason = 'transport'
  return { reason, what: code !== '' ? code : name !== '' ? name : 'unknown error' }
}

/** What a request that ran out of time fails with: a TimeoutError, which classifyTransportError names `timeout`. */
export function timeoutError (ms: number): DOMException {
  return new DOMException(`no answer within ${ms}ms`, 'TimeoutError')
}

/** A request's deadline: `signal` aborts with a TimeoutError after `ms`; call `clear()` when the request ends. */
export interface Deadline {
  readonly signal: AbortSignal
  readonly clear: () => void
}

/**
 * nginx-sync's deadline (the EMQX client times its dispatch itself). Not AbortSignal.timeout(): its timer
 * outlives the request, so a request repeated at about its own timeout (a check every second with a 1 s
 * deadline) would fire each finished request's timer in the idle time after it and build its
 * TimeoutError, stack trace included (bench/README.md, idle CPU).
 */
export function requestDeadline (ms: number): Deadline {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(timeoutError(ms)) }, ms)
  timer.unref()
  return { signal: controller.signal, clear: () => { clearTimeout(timer) } }
}
