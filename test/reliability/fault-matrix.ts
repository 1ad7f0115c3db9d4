/**
 * The upstream fault matrix: the single source of truth that test/reliability/fault-matrix.test.ts
 * runs against the real sidecar process and failure-modes-doc.ts renders into docs/failure-modes.md.
 * A row states what the sidecar must do; the test fails if the sidecar does anything else, and the
 * doc test fails if the doc is not this table rendered.
 */
import type { FailureReason } from '../../src/errors.js'
import type { FaultScope, SimFault } from '../../src/emqx-double/faults.js'

/** What the scenarios run the sidecar with (quoted in the doc, since timeouts appear in messages). */
export const MATRIX_SETTINGS = { pollInterval: '100ms', emqxTimeout: '250ms', otherTimeout: '2s', failureThreshold: 3 } as const

/**
 * The rows about timeouts run with the short --emqx-timeout; the others with a long one, so that a double
 * starved of CPU on a loaded machine cannot turn a reset, a TLS refusal or a slow answer into a timeout
 * (http_to_tls once counted 2 timeouts and logged an extra "node is down" that way).
 */
export function emqxTimeoutFor (row: { readonly failure?: { readonly reason: FailureReason } }): string {
  return row.failure?.reason === 'timeout' ? MATRIX_SETTINGS.emqxTimeout : MATRIX_SETTINGS.otherTimeout
}

/** How the sidecar reaches EMQX in a scenario. */
export type Upstream = 'http' | 'https_with_ca' | 'https_without_ca' | 'unresolvable'
  /** scheme mix-ups: an http:// URL to a TLS listener, an https:// URL to a plain one */
  | 'http_url_to_tls' | 'https_url_to_plain'

export interface FaultScenario {
  readonly id: string
  /** what goes wrong, in an operator's words */
  readonly fault: string
  /** how the test produces it */
  readonly produced: string
  readonly upstream: Upstream
  /** the double's fault during the scenario (none: the upstream setting itself is the fault) */
  readonly simFault?: SimFault
  /** the fault hits only this path (a partial fault); default every path */
  readonly path?: FaultScope
  /** the fault ends by itself after this long (a restart) */
  readonly lastsMs?: number
  /** each failing check waits for --emqx-timeout instead of failing at once */
  readonly slow?: boolean
  /** undefined: no failure; the sidecar keeps following EMQX (a drain is still seen) */
  readonly failure?: { readonly reason: FailureReason, readonly detail: string, readonly level: 'warn' | 'error' }
  /** how it ends, when it cannot end by EMQX answering again */
  readonly recovery?: string
}

const T = MATRIX_SETTINGS.emqxTimeout

export const FAULT_MATRIX: readonly FaultScenario[] = [
  {
    id: 'refused',
    fault: 'EMQX stopped (connection refused)',
    produced: 'the double closes its listener',
    upstream: 'http',
    simFault: 'refuse',
    failure: { reason: 'refused', level: 'warn', detail: 'EMQX request failed: ECONNREFUSED' },
  },
  {
    id: 'restart',
    fault: 'EMQX restarting: refused for 2 s, then back',
    produced: 'listener closed for 2 s, then reopened on the same port',
    upstream: 'http',
    simFault: 'refuse',
    lastsMs: 2000,
    failure: { reason: 'refused', level: 'warn', detail: 'EMQX request failed: ECONNREFUSED' },
  },
  {
    id: 'dns',
    fault: 'DNS failure',
    produced: '`--emqx-url http://emqx.invalid:18083` (a name that never resolves)',
    upstream: 'unresolvable',
    failure: { reason: 'dns', level: 'warn', detail: 'EMQX request failed: ENOTFOUND' },
    recovery: 'first answer once the name resolves',
  },
  {
    id: 'hang',
    fault: 'accepts, then never answers',
    produced: 'request read, no answer',
    upstream: 'http',
    simFault: 'hang',
    slow: true,
    failure: { reason: 'timeout', level: 'warn', detail: `no complete answer from EMQX within ${T}` },
  },
  {
    id: 'hang_mid_body',
    fault: 'hangs in the middle of the body',
    produced: 'headers + 11 of 100 body bytes, then silence',
    upstream: 'http',
    simFault: 'hang_mid_body',
    slow: true,
    failure: { reason: 'timeout', level: 'warn', detail: `no complete answer from EMQX within ${T}` },
  },
  {
    id: 'reset',
    fault: 'connection reset',
    produced: 'TCP RST when the request arrives (the sidecar retries once on a fresh connection)',
    upstream: 'http',
    simFault: 'reset',
    failure: { reason: 'reset', level: 'warn', detail: 'EMQX request failed: ECONNRESET' },
  },
  {
    id: 'drip',
    fault: 'slow drip of bytes',
    produced: 'body sent one byte every 200 ms',
    upstream: 'http',
    simFault: 'drip',
    slow: true,
    failure: { reason: 'timeout', level: 'warn', detail: `no complete answer from EMQX within ${T}` },
  },
  {
    id: 'availability_hang',
    fault: 'availability_check hangs while the node status endpoint answers (partial fault)',
    produced: 'only `.../availability_check` is never answered; `/status` answers 200',
    upstream: 'http',
    simFault: 'hang',
    path: 'availability',
    slow: true,
    failure: { reason: 'timeout', level: 'warn', detail: `no complete answer from EMQX within ${T}` },
  },
  {
    id: 'availability_garbage',
    fault: 'availability_check answers garbage while the node status endpoint answers (partial fault)',
    produced: 'only `.../availability_check` answers 200 `<html>surprise</html>`',
    upstream: 'http',
    simFault: 'garbage',
    path: 'availability',
    failure: { reason: 'bad_body', level: 'warn', detail: 'EMQX answered 200 with a body that is not a JSON object: "<html>surprise</html>"' },
  },
  { id: 'status_hang', fault: 'the node status endpoint hangs while availability_check answers (partial fault)', produced: 'only `/api/v5/status` is never answered (read every 5th check)', upstream: 'http', simFault: 'hang', path: 'status' },
  { id: 'status_garbage_503', fault: 'the node status endpoint answers 503 without EMQX\'s `not_running` (a stopped dashboard listener, a proxy page)', produced: 'only `/api/v5/status` answers 503 with an HTML page', upstream: 'http', simFault: 'garbage_503', path: 'status' },
  { id: 'slow', fault: 'slow but within `--emqx-timeout`', produced: 'every answer delayed 150 ms', upstream: 'http', simFault: 'slow' },
  {
    id: 'garbage',
    fault: '200 with a garbage body',
    produced: '200 `<html>surprise</html>`',
    upstream: 'http',
    simFault: 'garbage',
    failure: { reason: 'bad_body', level: 'warn', detail: 'EMQX answered 200 with a body that is not a JSON object: "<html>surprise</html>"' },
  },
  {
    id: 'garbage_503',
    fault: '503 with a garbage body (a proxy\'s error page, not EMQX\'s drain answer)',
    produced: '503 with an HTML page',
    upstream: 'http',
    simFault: 'garbage_503',
    failure: { reason: 'bad_body', level: 'warn', detail: 'EMQX answered 503 with a body that is not a JSON object: "<html><body>503 Service Unavailable</body></html>"' },
  },
  {
    id: '5xx',
    fault: 'HTTP 5xx',
    produced: '500 `Internal Server Error`',
    upstream: 'http',
    simFault: '5xx',
    failure: { reason: 'http_5xx', level: 'warn', detail: 'EMQX answered 500: "Internal Server Error"' },
  },
  {
    id: '401',
    fault: 'HTTP 401 (API key rotated or wrong)',
    produced: '401 as EMQX 5 sends it',
    upstream: 'http',
    simFault: 'auth_reject',
    failure: { reason: 'auth', level: 'error', detail: 'EMQX answered 401: API credentials missing or rejected (set --emqx-username and --emqx-password (or --emqx-password-file), or SIDECAR_EMQX_USERNAME and SIDECAR_EMQX_PASSWORD (or SIDECAR_EMQX_PASSWORD_FILE))' },
  },
  {
    id: '403',
    fault: 'HTTP 403 (API key without permission)',
    produced: '403 JSON',
    upstream: 'http',
    simFault: 'forbidden',
    failure: { reason: 'auth', level: 'error', detail: 'EMQX answered 403: the API key is not allowed here: from EMQX 6.0.3 and 6.1.2 the load_rebalance API needs an API key with the cluster_operations scope' },
  },
  {
    id: '404',
    fault: 'HTTP 404 on every path (wrong URL or proxy route)',
    produced: '404 `NOT_FOUND` everywhere, node status included',
    upstream: 'http',
    simFault: 'not_found',
    failure: { reason: 'not_found', level: 'warn', detail: 'EMQX answered 404: endpoint not found' },
  },
  {
    id: 'redirect',
    fault: 'redirect to another host',
    produced: '302 to a second double, which must see no request',
    upstream: 'http',
    simFault: 'redirect',
    failure: { reason: 'redirect', level: 'warn', detail: 'EMQX answered 302 (redirects are not followed)' },
  },
  {
    id: 'huge',
    fault: 'huge body',
    produced: '200 with a 1 MiB body (declared length)',
    upstream: 'http',
    simFault: 'huge',
    failure: { reason: 'body_too_large', level: 'warn', detail: 'EMQX answer exceeds 65536 bytes' },
  },
  { id: 'http10', fault: 'HTTP/1.0 peer (an old proxy in front of EMQX)', produced: '`HTTP/1.0` answers without content-length, ended by closing the connection', upstream: 'http', simFault: 'http10' },
  { id: 'https_ca', fault: 'HTTPS API with a self-signed certificate, CA configured', produced: 'double on TLS with an openssl-made certificate; `--emqx-ca-file cert.pem`', upstream: 'https_with_ca' },
  {
    id: 'https_no_ca',
    fault: 'HTTPS API with a self-signed certificate, CA not configured',
    produced: 'same double, no `--emqx-ca-file`',
    upstream: 'https_without_ca',
    failure: { reason: 'tls', level: 'warn', detail: 'EMQX request failed: DEPTH_ZERO_SELF_SIGNED_CERT' },
    recovery: 'needs `--emqx-ca-file`; never falls back to an unverified connection (the double sees no request)',
  },
  {
    id: 'http_to_tls',
    fault: '`http://` URL pointing at the HTTPS listener (18084)',
    produced: 'plain HTTP sent to the TLS double',
    upstream: 'http_url_to_tls',
    failure: { reason: 'reset', level: 'warn', detail: 'EMQX request failed: UND_ERR_SOCKET' },
    recovery: 'needs the `https://` URL',
  },
  {
    id: 'https_to_plain',
    fault: '`https://` URL pointing at the plain HTTP listener (18083)',
    produced: 'TLS handshake sent to the plain double',
    upstream: 'https_url_to_plain',
    failure: { reason: 'tls', level: 'warn', detail: 'EMQX request failed: ERR_SSL_WRONG_VERSION_NUMBER' },
    recovery: 'needs the `http://` URL',
  },
]
