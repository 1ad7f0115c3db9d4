import type { EvacuationSettings } from '../config/serve-config.js'
import type { EvacuationErrorCode } from '../errors.js'
import type { ApiVersion } from './api.js'
import { clip, parseJsonObject, type RawAnswer } from './parse.js'

export type { EvacuationSettings } from '../config/serve-config.js'

export interface EvacuationBodyOptions {
  /** leave `wait_health_check` out (the retry for e5.0.4, which rejects the field) */
  readonly withoutWaitHealthCheck?: boolean
}

/**
 * The start body per API generation (docs/emqx-compatibility.md, "Evacuation"). Durations go as integer
 * seconds everywhere: e5.0.4 and e5.1.0 reject a string `wait_takeover` (from e5.1.1 both forms work) and
 * 4.4 takes numbers. `wait_takeover` must be positive on 4.4, e5.0.4 and e5.1.0, so 0 is sent as 1.
 * `wait_health_check` exists from e5.1.0 on; e5.0.4 rejects unknown fields, so the caller retries
 * `withoutWaitHealthCheck` on that 400 (and holds 503 for the wait itself, as for 4.4). 5.x rejects an
 * empty `migrate_to` (nonempty_list). Optional fields are left out rather than sent empty.
 */
export function evacuationBody (version: ApiVersion, s: EvacuationSettings, opts: EvacuationBodyOptions = {}): Record<string, unknown> {
  const waitTakeover = Math.max(1, Math.round(s.waitTakeoverS))
  const eviction = { conn_evict_rate: s.connEvictRate, sess_evict_rate: s.sessEvictRate, wait_takeover: waitTakeover }
  const body: Record<string, unknown> = version === 'v5' && opts.withoutWaitHealthCheck !== true
    ? { wait_health_check: Math.round(s.waitHealthCheckS), ...eviction }
    : { ...eviction }
  if (s.redirectTo !== undefined && s.redirectTo !== '') body.redirect_to = s.redirectTo
  if (s.migrateTo.length > 0) body.migrate_to = [...s.migrateTo]
  return body
}

/** e5.0.4's answer to a start body with `wait_health_check`: a 400 naming the field it does not know. */
export function rejectsWaitHealthCheck (call: EvacuationCall): boolean {
  return !call.ok && call.code === 'rejected' && call.httpStatus === 400 && /wait_health_check/.test(call.message)
}

export type { EvacuationErrorCode } from '../errors.js'

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
  if (status === 401 || status === 403) {
    const message = `EMQX answered ${status}: API credentials missing or rejected ` +
      '(the rebalance API needs SIDECAR_EMQX_USERNAME and a password)'
    return { ok: false, code: 'auth', message, httpStatus: status }
  }
  const json = parseJsonObject(body)
  const text = typeof json?.message === 'string' ? json.message : body
  const idempotent = op === 'start' ? /already_started/ : /not_started/
  const refused = (httpStatus: number): EvacuationCall => {
    if (idempotent.test(text)) return { ok: true, already: true }
    if (/node not found|nodes unavailable|invalid node/i.test(text)) {
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
