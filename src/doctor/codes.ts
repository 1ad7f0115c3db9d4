/**
 * The doctor's findings, one stable code each, like the sidecar's own registry (../errors.ts).
 * docs/doctor.md has a row per code; test/doctor/codes.test.ts holds the two together and gives every
 * code a fixture that `haproxy -c` / `nginx -t` accept and that gets exactly that finding.
 * error: the drain will not work, or it will cut clients; warning: the drain works, but worse.
 */
export type Severity = 'error' | 'warning'

export const DOCTOR_CODES = {
  HAPROXY_NO_CHECK: 'error',
  HAPROXY_CHECK_ON_MQTT_PORT: 'error',
  HAPROXY_CHECK_NOT_SIDECAR: 'warning',
  HAPROXY_CHECK_PATH: 'error',
  HAPROXY_CHECK_CREDENTIALS: 'warning',
  HAPROXY_AGENT_PORT: 'error',
  HAPROXY_SLOW_CHECK: 'error',
  HAPROXY_SHUTDOWN_SESSIONS: 'error',
  HAPROXY_STICKY_DRAIN: 'error',
  HAPROXY_HASH_BALANCE: 'warning',
  HAPROXY_IDLE_TIMEOUT: 'error',
  NGINX_NO_SIDECAR: 'error',
  NGINX_NJS_FALLBACK: 'error',
  NGINX_PROXY_TIMEOUT: 'error',
  NGINX_WORKER_SHUTDOWN_TIMEOUT: 'error',
  K8S_NO_SIDECAR_READINESS: 'error',
  K8S_READINESS_TARGET: 'error',
  K8S_SLOW_READINESS: 'error',
  K8S_CHECKER_FALL: 'warning',
  K8S_NO_PRESTOP: 'error',
  K8S_GRACE_PERIOD: 'error',
  K8S_SIDECAR_ENV: 'error',
  K8S_HEADLESS_NOT_READY: 'error',
  K8S_CLOUD_CHECK_TARGET: 'error',
  K8S_CLOUD_SLOW_CHECK: 'error',
  K8S_CLOUD_CONNECTION_TERMINATION: 'error',
  SIDECAR_SLOW_CHECKER: 'error',
} as const satisfies Record<string, Severity>

export type DoctorCode = keyof typeof DOCTOR_CODES
