/**
 * The option tables: one row per setting, with its flag, its SIDECAR_ environment variable, its default
 * and its help. Defaults live here and nowhere else. Variables are prefixed SIDECAR_ because Kubernetes
 * service links inject bare EMQX_* and *_PORT variables into every pod (a Service named `emqx` injects EMQX_PORT=tcp://...).
 */
export type OptionKind =
  | 'string' | 'url' | 'duration' | 'port' | 'int' | 'number' | 'bool' | 'secret' | 'path' | 'address'
  | { enum: readonly string[] }

export interface OptionSpec {
  /** the flag without its dashes, e.g. `emqx-url`; the env var is SIDECAR_ + upper snake case of it */
  readonly flag: string
  readonly kind: OptionKind
  readonly help: string
  readonly default?: string
  /** secrets also accept SIDECAR_<NAME>_FILE (and --<flag>-file): the value is read from that file once */
  readonly fileVariant?: boolean
  /** minimum for int/duration kinds */
  readonly min?: number
  readonly max?: number
}

export function envName (flag: string): string {
  return `SIDECAR_${flag.toUpperCase().replace(/-/g, '_')}`
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Options shared by every command that talks to the log. */
export const commonOptions: readonly OptionSpec[] = [
  { flag: 'log-level', kind: { enum: LOG_LEVELS }, default: 'info', help: 'log level: fatal, error, warn, info, debug, trace, silent' },
]

/** Options of the sidecar itself (`emqx-lb-sidecar` / `emqx-lb-sidecar serve`). */
export const serveOptions: readonly OptionSpec[] = [
  { flag: 'emqx-url', kind: 'url', help: 'base URL of the local EMQX HTTP API (default http://127.0.0.1:18083; http://127.0.0.1:8081 with --emqx-api-version v4)' },
  { flag: 'emqx-api-version', kind: { enum: ['auto', 'v4', 'v5'] }, default: 'auto', help: 'EMQX API generation: auto detects 5.x (port 18083) or 4.4 (port 8081)' },
  { flag: 'emqx-username', kind: 'string', help: 'EMQX API key (5.x) or AppID (4.4); only needed where the API requires auth' },
  { flag: 'emqx-password', kind: 'secret', fileVariant: true, help: 'EMQX API secret (5.x) or AppSecret (4.4); prefer SIDECAR_EMQX_PASSWORD_FILE' },
  { flag: 'emqx-ca-file', kind: 'path', help: 'PEM CA bundle trusted for an https:// EMQX URL (a self-signed API certificate)' },
  { flag: 'emqx-timeout', kind: 'duration', default: '1s', min: 10, help: 'hard timeout of one EMQX request (connect + answer)' },
  { flag: 'poll-interval', kind: 'duration', default: '1s', min: 50, help: 'how often EMQX is asked; probes are answered from memory' },
  { flag: 'failure-threshold', kind: 'int', default: '3', min: 1, max: 1000, help: 'consecutive failed checks before the state becomes down (EMQX 503 drains at once)' },
  { flag: 'host', kind: 'address', default: '0.0.0.0', help: 'address of the HTTP listener' },
  { flag: 'port', kind: 'port', default: '9183', help: 'port of the HTTP listener (probes, /status, /metrics)' },
  // Limits of the HTTP listener against hostile or broken clients (../docs/failure-modes.md, "Hostile clients").
  // A probe is one short request line and a few headers; these leave a wide margin and still bound memory.
  { flag: 'http-max-header-size', kind: 'int', default: '8192', min: 1024, max: 65536, help: 'largest request line + headers in bytes the HTTP listener accepts (larger: 431)' },
  { flag: 'http-headers-timeout', kind: 'duration', default: '5s', min: 100, help: 'time a connection has to deliver a complete request head, from connecting (slowloris and idle-connection guard)' },
  { flag: 'http-request-timeout', kind: 'duration', default: '10s', min: 100, help: 'time a client has to send its whole request' },
  { flag: 'http-keep-alive-timeout', kind: 'duration', default: '5s', min: 0, help: 'how long an idle keep-alive connection is kept between requests' },
  { flag: 'http-max-connections', kind: 'int', default: '512', min: 1, max: 100000, help: 'open connections the HTTP listener accepts at once; more are closed at once and counted' },
  { flag: 'wait-health-check', kind: 'duration', default: '60s', min: 0, help: "the wait_health_check EMQX uses for evacuations/rebalances here: checkers too slow to take the node out within it are warned about" },
  { flag: 'checker-fall', kind: 'int', default: '3', min: 1, max: 100, help: 'failed HTTP checks a load balancer needs before it takes a node out (HAProxy fall, Kubernetes failureThreshold); the agent-check drain acts at once' },
  { flag: 'max-checkers', kind: 'int', default: '256', min: 1, max: 100000, help: 'distinct checkers (source, kind, user agent) remembered; the least recently seen is forgotten first' },
  { flag: 'checker-ttl', kind: 'duration', default: '5m', min: 1000, help: 'a checker unseen this long is forgotten' },
  { flag: 'checker-metrics-per-source', kind: 'bool', default: 'false', help: 'also export one series per checker source address (bounded by --max-checkers)' },
  { flag: 'cluster-interval', kind: 'duration', default: '5s', min: 0, help: 'how often the cluster view (load_rebalance/global_status) is read when credentials allow; 0 disables' },
  { flag: 'rebalance-abs-conn-threshold', kind: 'int', default: '1000', min: 0, help: 'abs_conn_threshold your rebalances use, for the balance condition shown in /status' },
  { flag: 'rebalance-rel-conn-threshold', kind: 'number', default: '1.1', min: 1, help: 'rel_conn_threshold your rebalances use (> 1.0)' },
  { flag: 'rebalance-abs-sess-threshold', kind: 'int', default: '1000', min: 0, help: 'abs_sess_threshold your rebalances use' },
  { flag: 'rebalance-rel-sess-threshold', kind: 'number', default: '1.1', min: 1, help: 'rel_sess_threshold your rebalances use (> 1.0)' },
  { flag: 'shutdown-delay', kind: 'duration', default: '5s', min: 0, help: 'on SIGTERM, answer 503 (stopping) this long before closing, so load balancers notice' },
  ...commonOptions,
]
