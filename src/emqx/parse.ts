import { failure, type CheckOutcome } from './outcome.js'

/** An HTTP answer as the client hands it to the pure parsers. */
export interface RawAnswer {
  readonly status: number
  readonly body: string
}

export function parseJsonObject (body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body)
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined
  } catch { return undefined }
}

/**
 * What a 403 means: from 6.0.3 and 6.1.2 an API key has scopes, and the load_rebalance routes need
 * `cluster_operations` (`scopes/0` in apps/emqx_node_rebalance/src/emqx_node_rebalance_api.erl); a key without it
 * gets 403 `UNAUTHORIZED_ROLE` (apps/emqx_management/src/emqx_mgmt_auth.erl check_scopes).
 */
/** Where credentials are set, in both forms: a hint must name what the operator used (a flag or a variable). */
export const CREDENTIALS_HINT = '--emqx-username and --emqx-password (or --emqx-password-file), ' +
  'or SIDECAR_EMQX_USERNAME and SIDECAR_EMQX_PASSWORD (or SIDECAR_EMQX_PASSWORD_FILE)'

export const SCOPE_HINT = 'the API key is not allowed here: from EMQX 6.0.3 and 6.1.2 the load_rebalance API needs ' +
  'an API key with the cluster_operations scope'

/** Answers every endpoint shares: auth, missing path, redirects, other statuses. */
function classifyCommon ({ status, body }: RawAnswer): CheckOutcome {
  if (status === 403) return failure('auth', `EMQX answered 403: ${SCOPE_HINT}`, status)
  if (status === 401) {
    const detail = `EMQX answered ${status}: API credentials missing or rejected ` +
      `(set ${CREDENTIALS_HINT})`
    return failure('auth', detail, status)
  }
  if (status === 404) return failure('not_found', 'EMQX answered 404: endpoint not found', status)
  if (status >= 300 && status < 400) return failure('redirect', `EMQX answered ${status} (redirects are not followed)`, status)
  if (status >= 500) return failure('http_5xx', `EMQX answered ${status}${snippet(body)}`, status)
  return failure('http_status', `EMQX answered unexpected status ${status}`, status)
}

/**
 * `GET /api/v{4,5}/load_rebalance/availability_check`: 200 `{}`; 503 `{"code":"NODE_EVACUATING",...}` (5.x)
 * or `{}` (4.4). Any other 503 (e.g. a proxy's HTML page, RPC_ERROR) is a failure, not a drain.
 */
export function classifyAvailability (answer: RawAnswer): CheckOutcome {
  const { status, body } = answer
  if (status === 200) {
    if (parseJsonObject(body) !== undefined) return { kind: 'available' }
    return failure('bad_body', `EMQX answered 200 with a body that is not a JSON object${snippet(body)}`, 200)
  }
  if (status === 503) {
    const json = parseJsonObject(body)
    if (json === undefined) return failure('bad_body', `EMQX answered 503 with a body that is not a JSON object${snippet(body)}`, 503)
    const code = json.code
    if (code === undefined) return { kind: 'unavailable' }
    if (code === 'NODE_EVACUATING') return { kind: 'unavailable', code }
    return failure('http_5xx', `EMQX answered 503 ${String(code)}`, 503)
  }
  return classifyCommon(answer)
}

/**
 * `GET /status` or `/api/v5/status[?format=json]`: 200 when the emqx application runs, 503 when it does not.
 * Used when the rebalance API is absent (open-source EMQX): up/down only.
 */
export function classifyNodeStatus (answer: RawAnswer): CheckOutcome {
  if (answer.status === 200) return { kind: 'available' }
  if (answer.status === 503) return { kind: 'not_running' }
  return classifyCommon(answer)
}

/** Node name from the node status answer: JSON `node_name`, or text `Node emqx@host is started`. */
export function parseNodeName (body: string): string | undefined {
  const json = parseJsonObject(body)
  if (json !== undefined) return typeof json.node_name === 'string' && json.node_name !== '' ? json.node_name : undefined
  const m = /^Node (\S+@\S+) is /m.exec(body)
  return m?.[1]
}

function snippet (body: string): string {
  return body.trim() === '' ? '' : `: ${clip(body, 80)}`
}

/** An EMQX body for a message: white space folded, cut at `max` characters, quoted. */
export function clip (text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim()
  return JSON.stringify(t.length > max ? `${t.slice(0, max)}...` : t)
}
