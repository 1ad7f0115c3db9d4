/**
 * Every error the sidecar raises on purpose carries a stable `code` (like fastify's FST_ERR_*),
 * so logs, /status and tests can match on it instead of on message text.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'SIDECAR_ERR_CONFIG_INVALID',
  SECRET_FILE_UNREADABLE: 'SIDECAR_ERR_SECRET_FILE_UNREADABLE',
  // a listener or a file start-up needs could not be opened
  START_FAILED: 'SIDECAR_ERR_START_FAILED',
  EMQX_REFUSED: 'SIDECAR_ERR_EMQX_REFUSED',
  EMQX_TIMEOUT: 'SIDECAR_ERR_EMQX_TIMEOUT',
  EMQX_RESET: 'SIDECAR_ERR_EMQX_RESET',
  EMQX_DNS: 'SIDECAR_ERR_EMQX_DNS',
  EMQX_TLS: 'SIDECAR_ERR_EMQX_TLS',
  EMQX_TRANSPORT: 'SIDECAR_ERR_EMQX_TRANSPORT',
  EMQX_BODY_TOO_LARGE: 'SIDECAR_ERR_EMQX_BODY_TOO_LARGE',
  // nginx-sync: the stage of an upstream update that failed
  NGINX_WRITE_FAILED: 'SIDECAR_ERR_NGINX_WRITE_FAILED',
  NGINX_CHECK_FAILED: 'SIDECAR_ERR_NGINX_CHECK_FAILED',
  NGINX_RELOAD_FAILED: 'SIDECAR_ERR_NGINX_RELOAD_FAILED',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

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
