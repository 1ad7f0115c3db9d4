/**
 * The one registry of codes the sidecar emits, like fastify's `errors.js`. Four vocabularies, each a
 * closed list, documented in docs/errors.md (test/errors.test.ts holds every code used, unique, documented):
 * - `ErrorCodes`: errors thrown on purpose (SIDECAR_ERR_*), for the CLI's last line and tests;
 * - `FAILURE_REASONS`: why one EMQX check gave no usable answer (`/status` reason `emqx_<reason>`, metrics label);
 * - `EVACUATION_ERROR_CODES`: why an evacuation call to EMQX failed (`/admin/evacuate`, `/prestop`, `/status`);
 * - `LogCodes`: the `code` field of log lines an operator may alert on.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'SIDECAR_ERR_CONFIG_INVALID',
  // a listener or a file start-up needs could not be opened
  START_FAILED: 'SIDECAR_ERR_START_FAILED',
  // nginx-sync: the stage of an upstream update that failed
  NGINX_WRITE_FAILED: 'SIDECAR_ERR_NGINX_WRITE_FAILED',
  NGINX_CHECK_FAILED: 'SIDECAR_ERR_NGINX_CHECK_FAILED',
  NGINX_RELOAD_FAILED: 'SIDECAR_ERR_NGINX_RELOAD_FAILED',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

export const FAILURE_REASONS = [
  'refused', 'timeout', 'reset', 'dns', 'tls', 'transport',
  'http_5xx', 'http_status', 'auth', 'not_found', 'redirect', 'bad_body', 'body_too_large',
] as const

export type FailureReason = (typeof FAILURE_REASONS)[number]

export const EVACUATION_ERROR_CODES = [
  'auth', 'node_not_found', 'target_unavailable', 'rpc_error', 'rejected', 'unexpected_answer', 'transport', 'no_api',
] as const

export type EvacuationErrorCode = (typeof EVACUATION_ERROR_CODES)[number]

export const LogCodes = {
  /** a listener of the store's events threw; the store's other listeners still ran */
  STORE_LISTENER_FAILED: 'store_listener_failed',
  /** a loop's step threw: logged, and the loop goes on */
  INTERNAL_ERROR: 'internal_error',
  /** EMQX rejects the API credentials: a configuration error, not a blip */
  EMQX_AUTH: 'emqx_auth',
  EMQX_REBALANCE_API_MISSING: 'emqx_rebalance_api_missing',
  EMQX_REDIRECT_TO_IGNORED: 'emqx_redirect_to_ignored',
  CHECKER_TOO_SLOW: 'checker_too_slow',
  HTTP_CONNECTION_LIMIT: 'http_connection_limit',
  AGENT_CONNECTION_LIMIT: 'agent_connection_limit',
  LISTEN_BACKLOG_CAPPED: 'listen_backlog_capped',
  /** EMQX began evicting a rebalance donor before every checker had been told of the drain */
  DRAIN_NOT_ACKNOWLEDGED: 'drain_not_acknowledged',
} as const

export type LogCode = (typeof LogCodes)[keyof typeof LogCodes]

export class SidecarError extends Error {
  readonly code: ErrorCode
  constructor (code: ErrorCode, message: string) {
    super(message)
    this.name = 'SidecarError'
    this.code = code
  }
}

/** Raised by config parsing; `problems` lists every problem found, not just the first. */
export class ConfigError extends SidecarError {
  readonly problems: readonly string[]
  constructor (problems: readonly string[]) {
    super(ErrorCodes.CONFIG_INVALID, `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}
