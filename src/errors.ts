/**
 * The one registry of codes the sidecar emits, like fastify's `errors.js`. Five vocabularies, each a
 * closed list, documented in docs/errors.md (test/errors.test.ts holds every code used, unique, documented):
 * - `ErrorCodes`: errors thrown on purpose (SIDECAR_ERR_*), for the CLI's last line and tests;
 * - `FAILURE_REASONS`: why one EMQX check gave no usable answer (`/status` reason `emqx_<reason>`, metrics label);
 * - `EVACUATION_ERROR_CODES`: why an evacuation call to EMQX failed (`/admin/evacuate`, `/prestop`, `/status`);
 * - `LogCodes`: the `code` field of log lines an operator may alert on;
 * - `LogEvents`: the `event` field of log lines (what happened), one name per kind of line.
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
  /** EMQX answered 401/403 on a read that sends the API key (rebalance status, global_status, cluster, metrics) */
  EMQX_KEY_REFUSED: 'emqx_key_refused',
  /** that read is answered again: the refusal is over */
  EMQX_KEY_ACCEPTED: 'emqx_key_accepted',
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

/**
 * The `event` field of every log line that has one (one name per kind of line, kept across releases: tests and docs
 * match on them). docs/errors.md "Log events" has each one's level, when and fields.
 */
export const LogEvents = {
  // listeners
  LISTENING: 'listening',
  ADMIN_LISTENING: 'admin_listening',
  AGENT_LISTENING: 'agent_listening',
  // drain acknowledgement and the admin endpoints
  DRAIN_ACKNOWLEDGED: 'drain_acknowledged',
  ADMIN: 'admin',
  ADMIN_UNAUTHORIZED: 'admin_unauthorized',
  REBALANCE_UNACKNOWLEDGED_EVICTION: 'rebalance_unacknowledged_eviction',
  CONNECTS_WHILE_EVICTING: 'connects_while_evicting',
  /** which source EMQX's CONNECT counter is read from and why not the others (info), or that none can be (warn) */
  CONNECT_COUNTER_SOURCE: 'connect_counter_source',
  // the acknowledgement wait
  EVACUATION_AWAITING_ACK: 'evacuation_awaiting_ack',
  EVACUATION_ACK_GRACE: 'evacuation_ack_grace',
  EVACUATION_ACK_ARRIVALS: 'evacuation_ack_arrivals',
  EVACUATION_ACK_ARRIVALS_WENT_ON: 'evacuation_ack_arrivals_went_on',
  EVACUATION_ACK_ENDED: 'evacuation_ack_ended',
  // evacuations
  EVACUATION_STARTED: 'evacuation_started',
  EVACUATION_PROGRESS: 'evacuation_progress',
  EVACUATION_WAIT: 'evacuation_wait',
  EVACUATION_POSITIVE_WAIT_HEALTH_CHECK: 'evacuation_positive_wait_health_check',
  EVACUATION_NO_WAIT_HEALTH_CHECK: 'evacuation_no_wait_health_check',
  EVACUATION_POSITIVE_WAIT_TAKEOVER: 'evacuation_positive_wait_takeover',
  EVACUATION_DONE: 'evacuation_done',
  EVACUATION_DEADLINE: 'evacuation_deadline',
  EVACUATION_FAILED: 'evacuation_failed',
  EVACUATION_CALL_FAILED: 'evacuation_call_failed',
  EVACUATION_STOPPED: 'evacuation_stopped',
  EVACUATION_STOP_FAILED: 'evacuation_stop_failed',
  EVACUATION_LEFTOVER_STOPPED: 'evacuation_leftover_stopped',
  EVACUATION_LEFTOVER_STOP_FAILED: 'evacuation_leftover_stop_failed',
  // the drain file and cluster membership
  DRAIN_FILE_ON: 'drain_file_on',
  DRAIN_FILE_OFF: 'drain_file_off',
  NOT_IN_CLUSTER: 'not_in_cluster',
  CLUSTER_MEMBERSHIP_UNKNOWN: 'cluster_membership_unknown',
  IN_CLUSTER: 'in_cluster',
  // nginx-sync
  RELOADED: 'reloaded',
  WRITE_FAILED: 'write_failed',
  CHECK_FAILED: 'check_failed',
  RELOAD_FAILED: 'reload_failed',
  STATE_WRITTEN: 'state_written',
  STATE_WRITE_FAILED: 'state_write_failed',
  NODE: 'node',
  FAILSAFE: 'failsafe',
  FAILSAFE_CLEARED: 'failsafe_cleared',
  // simulate
  SIM_LISTENING: 'sim_listening',
  SIM_CHANGE: 'sim_change',
  SIM_STOPPING: 'sim_stopping',
} as const

export type LogEvent = (typeof LogEvents)[keyof typeof LogEvents]

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
