import type { ApiVersion } from './api.js'
import type { HttpResult } from './http.js'
import { failure, type CheckOutcome } from './outcome.js'
import { classifyAvailability, clip, parseJsonObject, parseNodeName, type RawAnswer } from './parse.js'

/**
 * What one detection candidate's availability_check answer says about that API generation. Pure.
 * found:   the rebalance API answered (200, EMQX's own 503, or this generation's own 401/403);
 * absent:  clean evidence it is not there (a 404, nothing listening, or another generation's 401);
 * unknown: no evidence either way (timeout, reset, garbage, 5xx, redirect): never a reason to change mode.
 * See docs/emqx-compatibility.md, "Detection".
 */
export type CandidateVerdict =
  | { readonly kind: 'found', readonly outcome: CheckOutcome }
  | { readonly kind: 'absent', readonly evidence: string, readonly notFound: boolean, readonly outcome: CheckOutcome }
  | { readonly kind: 'unknown', readonly outcome: CheckOutcome }

export function judgeCandidate (version: ApiVersion, res: HttpResult): CandidateVerdict {
  if (!res.ok) {
    // Nothing listening on this port is a clean "not here"; a hang or a reset says nothing.
    if (res.outcome.kind === 'failure' && res.outcome.reason === 'refused') {
      return { kind: 'absent', evidence: 'connection refused', notFound: false, outcome: res.outcome }
    }
    return { kind: 'unknown', outcome: res.outcome }
  }
  const outcome = classifyAvailability(res.answer)
  if (outcome.kind !== 'failure') return { kind: 'found', outcome }
  switch (outcome.reason) {
    case 'auth': {
      if (generationOfAuth(res.answer) === version) return { kind: 'found', outcome }
      const { status } = res.answer
      const detail = `EMQX answered ${status} in another API generation's form: no EMQX ${version === 'v5' ? '5' : '4.4'} API here`
      const notHere = failure('not_found', detail, status)
      return { kind: 'absent', evidence: `${status} in another API generation's form`, notFound: false, outcome: notHere }
    }
    case 'not_found': return { kind: 'absent', evidence: `404${snippet(res.answer.body)}`, notFound: true, outcome }
    default: return { kind: 'unknown', outcome }
  }
}

/**
 * EMQX 5.x answers 401/403 with a JSON `{"code":...}` body (realm emqx-dashboard); 4.4's minirest answers
 * plain text `UNAUTHORIZED` (realm minirest-server). A 4.4 dashboard on 18083 asked for /api/v5/... thus
 * does not look like an EMQX 5 that wants credentials (emqx/minirest 0.3.12 `src/minirest_handler.erl`).
 */
export function generationOfAuth ({ body }: RawAnswer): ApiVersion {
  const json = parseJsonObject(body)
  return json !== undefined && typeof json.code === 'string' ? 'v5' : 'v4'
}

/** Whether a node status answer (GET /status, /api/v5/status) comes from an EMQX node: it names the node. */
export function isEmqxNodeStatus (answer: RawAnswer): boolean {
  return (answer.status === 200 || answer.status === 503) && parseNodeName(answer.body) !== undefined
}

/**
 * EMQX's own "the emqx application is not running": node status 503 whose body says so
 * (`emqx is not_running`, or `app_status: not_running`). A bare 503 (a dashboard listener stopped,
 * apps/emqx_management/src/emqx_mgmt_api_status.erl) or a proxy's 503 is not that answer.
 */
export function saysNotRunning ({ status, body }: RawAnswer): boolean {
  if (status !== 503) return false
  const json = parseJsonObject(body)
  if (json !== undefined) return json.app_status === 'not_running'
  return /\bemqx is not_running\b/.test(body)
}

function snippet (body: string): string {
  return body.trim() === '' ? '' : ` ${clip(body, 60)}`
}
