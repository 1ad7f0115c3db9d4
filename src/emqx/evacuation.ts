import type { EvacuationSettings } from '../config/serve-types.js'
import type { EvacuationErrorCode } from '../errors.js'
import type { ApiVersion } from './api.js'
import { clip, CREDENTIALS_HINT, parseJsonObject, SCOPE_HINT, type RawAnswer } from './parse.js'

export interface EvacuationBodyOptions {
  /** leave `wait_health_check` out (the retry for e5.0.4 and 4.4 before the wait phase, which reject the field) */
  readonly withoutWaitHealthCheck?: boolean
  /** send `wait_takeover` as at least 1 (the retry for e5.1.0, whose field is a pos_integer) */
  readonly positiveWaitTakeover?: boolean
}

/**
 * The start body per API generation (docs/emqx-compatibility.md, "Evacuation"). Durations go as integer
 * seconds everywhere: e5.0.4 and e5.1.0 reject a string `wait_takeover` (from e5.1.1 both forms work) and
 * 4.4 takes numbers. `wait_takeover` 0 is legal from e5.1.1 (`timeout_duration_s()`) and sent as 0; 4.4
 * (validate_pos_int) gets 1, and so do the retries for e5.0.4 and e5.1.0 (`pos_integer()`).
 * `wait_health_check` exists from e5.1.0 on and is offered to 4.4 too (4.4.24+ holds its own wait, at least 1 s);
 * e5.0.4 and older 4.4 reject unknown fields, so the caller retries `withoutWaitHealthCheck` on that 400
 * (and holds 503 for the wait itself). 5.x rejects an empty `migrate_to` (nonempty_list). Optional fields
 * are left out rather than sent empty.
 */
export function evacuationBody (version: ApiVersion, s: EvacuationSettings, opts: EvacuationBodyOptions = {}): Record<string, unknown> {
  const positive = version === 'v4' || opts.positiveWaitTakeover === true || opts.withoutWaitHealthCheck === true
  const waitTakeover = Math.max(positive ? 1 : 0, Math.round(s.waitTakeoverS))
  const eviction = { conn_evict_rate: s.connEvictRate, sess_evict_rate: s.sessEvictRate, wait_takeover: waitTakeover }
  const body: Record<string, unknown> = opts.withoutWaitHealthCheck !== true
    ? { wait_health_check: Math.round(s.waitHealthCheckS), ...eviction }
    : { ...eviction }
  if (s.redirectTo !== undefined && s.redirectTo !== '') body.redirect_to = s.redirectTo
  if (s.migrateTo.length > 0) body.migrate_to = [...s.migrateTo]
  return body
}

/**
 * The answer to a start body with `wait_health_check` from a line without the field: e5.0.4's 400 naming
 * the unknown field, or 4.4's in-body 400 (`Unknown evacuation param: {<<"wait_health_check">>,0}`,
 * or `invalid wait_health_check value` should a 4.4 take the field as a positive integer).
 */
export function rejectsWaitHealthCheck (call: EvacuationCall): boolean {
  if (call.ok || call.code !== 'rejected') return false
  return (call.httpStatus === 400 || call.httpStatus === 200) && /wait_health_check/.test(call.message)
}

/** e5.1.0's 400 to `wait_takeover` 0 (its field is a pos_integer; e5.1.1+ takes 0). */
export function rejectsZeroWaitTakeover (call: EvacuationCall): boolean {
  return !call.ok && call.code === 'rejected' && call.httpStatus === 400 &&
    /wait_takeover/.test(call.message) && !/wait_health_check/.test(call.message)
}

export type EvacuationCall =
  /** `already`: EMQX said already_started (start) or not_started (stop): the wanted end state holds */
  | { readonly ok: true, readonly already: boolean }
  | { readonly ok: false, readonly code: EvacuationErrorCode, readonly message: string, readonly httpStatus?: number }

/**
 * Classifies EMQX's answer to `POST .../{node}/evacuation/{start|stop}`. Pure.
 * 5.x: 200 `{}`; 400 `{"code":"BAD_REQUEST","message":"error on node X: already_started"}`; 404 node not found;
 * 503 `RPC_ERROR` (the node could not be reached: an error, not a drain). 4.4 answers HTTP 200 either way and
 * puts `{"code":0}` or `{"code":400,"message":...}` in the body (docs/emqx-compatibility.md, "Evacuation").
 */
export function classifyEvacuationAnswer (version: ApiVersion, op: 'start' | 'stop', { status, body }: RawAnswer): EvacuationCall {
  if (status === 403) return { ok: false, code: 'auth', message: `EMQX answered 403: ${SCOPE_HINT}`, httpStatus: status }
  if (status === 401) {
    const message = `EMQX answered ${status}: API credentials missing or rejected ` +
      `(the rebalance API needs them: ${CREDENTIALS_HINT})`
    return { ok: false, code: 'auth', message, httpStatus: status }
  }
  const json = parseJsonObject(body)
  const text = typeof json?.message === 'string' ? json.message : body
  const idempotent = op === 'start' ? /already_started/ : /not_started/
  const refused = (httpStatus: number): EvacuationCall => {
    if (idempotent.test(text)) return { ok: true, already: true }
    // migrate_to names a node that is not running or drains itself (available_nodes/1: its eviction agent is on)
    if (/nodes unavailable|unavailable nodes|no available nodes/i.test(text)) {
      const message = `EMQX: a migrate_to node is not running or is draining itself: ${clip(text, 120)}`
      return { ok: false, code: 'target_unavailable', message, httpStatus }
    }
    if (/node not found|invalid node/i.test(text)) {
      return { ok: false, code: 'node_not_found', message: `EMQX: ${clip(text, 120)}`, httpStatus }
    }
    return { ok: false, code: 'rejected', message: `EMQX refused to ${op} the evacuation: ${clip(text, 120)}`, httpStatus }
  }
  if (version === 'v4') {
    if (status !== 200 || json === undefined) return unexpected(status, body)
    if (json.code === 0) return { ok: true, already: false }
    return refused(200)
  }
  if (status === 200) return { ok: true, already: false }
  if (status === 400) return refused(400)
  if (status === 404) return { ok: false, code: 'node_not_found', message: `EMQX: ${clip(text, 120)}`, httpStatus: 404 }
  if (status === 503 && json?.code === 'RPC_ERROR') {
    return { ok: false, code: 'rpc_error', message: `EMQX could not reach the node (RPC_ERROR): ${clip(text, 120)}`, httpStatus: 503 }
  }
  return unexpected(status, body)
}

function unexpected (status: number, body: string): EvacuationCall {
  const detail = body.trim() === '' ? '' : `: ${clip(body, 120)}`
  return { ok: false, code: 'unexpected_answer', message: `EMQX answered ${status}${detail}`, httpStatus: status }
}
