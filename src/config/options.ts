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
  /** environment variable, when SIDECAR_<FLAG> would clash with another command's (simulate's --port is not serve's) */
  readonly env?: string
}

export function envName (flag: string): string {
  return `SIDECAR_${flag.toUpperCase().replace(/-/g, '_')}`
}

/** The environment variable of an option: its own `env`, else SIDECAR_<FLAG>. */
export function envOf (spec: OptionSpec): string {
  return spec.env ?? envName(spec.flag)
}

/** The EMQX versions `simulate` can play; sim/profiles.ts holds what each one does. */
export const SIM_PROFILES = ['v5', 'v5.3', 'v5.0.4', 'v4.4', 'v4.4.24', 'oss', 'oss-v4.4'] as const
export type SimProfile = (typeof SIM_PROFILES)[number]

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
  { flag: 'http-max-connections', kind: 'int', default: '2048', min: 1, max: 100000, help: 'open connections the HTTP listener accepts at once; more are closed at once and counted' },
  { flag: 'listen-backlog', kind: 'int', default: '4096', min: 1, max: 65535, help: 'accept queue asked of the kernel for the HTTP, agent-check and admin listeners (capped by net.core.somaxconn): room for a fleet of checkers connecting at once' },
  { flag: 'agent-port', kind: 'port', default: '9184', help: 'port of the HAProxy agent-check listener (one line per connection: up ready / up drain / down); 0 disables it' },
  { flag: 'agent-host', kind: 'address', help: 'address of the agent-check listener (default: the --host value)' },
  { flag: 'agent-max-connections', kind: 'int', default: '512', min: 1, max: 100000, help: 'open connections the agent-check listener accepts at once; more are closed at once and counted' },
  { flag: 'wait-health-check', kind: 'duration', default: '60s', min: 0, help: "the wait_health_check EMQX uses for evacuations/rebalances here (sent with /admin/evacuate and /prestop; whole seconds): checkers too slow to take the node out within it are warned about" },
  { flag: 'checker-fall', kind: 'int', default: '3', min: 1, max: 100, help: 'failed HTTP checks a load balancer needs before it takes a node out (HAProxy fall, Kubernetes failureThreshold); the agent-check drain acts at once' },
  { flag: 'max-checkers', kind: 'int', default: '256', min: 1, max: 100000, help: 'distinct checkers (source, kind, user agent) remembered; the least recently seen is forgotten first' },
  { flag: 'checker-ttl', kind: 'duration', default: '5m', min: 1000, help: 'a checker unseen this long is forgotten' },
  { flag: 'checker-metrics-per-source', kind: 'bool', default: 'false', help: 'also export one series per checker source address (bounded by --max-checkers)' },
  { flag: 'cluster-interval', kind: 'duration', default: '5s', min: 0, help: 'how often the cluster view (load_rebalance/global_status) is read when credentials allow; 0 disables' },
  { flag: 'rebalance-abs-conn-threshold', kind: 'int', default: '1000', min: 0, help: 'abs_conn_threshold your rebalances use, for the balance condition shown in /status' },
  { flag: 'rebalance-rel-conn-threshold', kind: 'number', default: '1.1', min: 1, help: 'rel_conn_threshold your rebalances use (> 1.0)' },
  { flag: 'rebalance-abs-sess-threshold', kind: 'int', default: '1000', min: 0, help: 'abs_sess_threshold your rebalances use' },
  { flag: 'rebalance-rel-sess-threshold', kind: 'number', default: '1.1', min: 1, help: 'rel_sess_threshold your rebalances use (> 1.0)' },
  { flag: 'shutdown-delay', kind: 'duration', default: '5s', min: 0, help: 'on SIGTERM, answer 503 (stopping; agent: drain) this long before closing, so load balancers notice' },
  { flag: 'drain-file', kind: 'path', help: 'drain (503, agent drain) while this file exists, whatever EMQX says; checked every poll interval; survives restarts' },
  { flag: 'admin-token', kind: 'secret', fileVariant: true, help: 'bearer token (16+ characters) that enables /admin/drain, /admin/undrain, /admin/evacuate and /prestop; without it they do not exist' },
  { flag: 'admin-port', kind: 'port', help: 'serve the admin endpoints on this separate port only (not on --port)' },
  { flag: 'admin-host', kind: 'address', default: '127.0.0.1', help: 'address of the separate admin listener (with --admin-port)' },
  { flag: 'evacuation-conn-evict-rate', kind: 'int', default: '500', min: 1, help: 'connections EMQX disconnects per second during an evacuation' },
  { flag: 'evacuation-sess-evict-rate', kind: 'int', default: '500', min: 1, help: 'sessions EMQX migrates per second during an evacuation' },
  { flag: 'evacuation-wait-takeover', kind: 'duration', default: '60s', min: 0, help: 'how long EMQX waits for evicted clients to reconnect elsewhere before migrating their sessions' },
  { flag: 'evacuation-redirect-to', kind: 'string', help: 'server reference sent to evicted MQTT 5 clients (e.g. mqtt.example.com:1883); honoured by EMQX 4.4 only: EMQX 5.x\'s HTTP API accepts and ignores it (only its CLI sets it), and the sidecar warns' },
  { flag: 'evacuation-migrate-to', kind: 'string', help: 'comma-separated EMQX node names that receive the remaining sessions (default: EMQX chooses)' },
  { flag: 'evacuation-stop-on-start', kind: 'bool', default: 'false', help: 'stop an evacuation EMQX resumes after a restart (EMQX persists them), so a restarted pod takes clients again; for evacuate-on-shutdown' },
  { flag: 'evacuation-timeout', kind: 'duration', default: '5m', min: 1000, help: 'deadline of an evacuation: /prestop answers when EMQX reports it finished or when this passes' },
  ...commonOptions,
]

/** Options of `emqx-lb-sidecar simulate`: one simulated EMQX node's HTTP API (src/sim). Variables SIDECAR_SIM_*. */
export const simulateOptions: readonly OptionSpec[] = [
  { flag: 'profile', env: 'SIDECAR_SIM_PROFILE', kind: { enum: SIM_PROFILES }, default: 'v5', help: 'EMQX version to play (docs/emqx-compatibility.md): v5 (5.4+ and 6.x), v5.3 (5.1-5.3: availability needs auth), v5.0.4 (no wait_health_check, evicts at once), v4.4 (4.4.12-4.4.23: management API on --port, dashboard on --dashboard-port), v4.4.24, oss (open-source 5.x), oss-v4.4' },
  { flag: 'host', env: 'SIDECAR_SIM_HOST', kind: 'address', default: '127.0.0.1', help: 'address to listen on' },
  { flag: 'port', env: 'SIDECAR_SIM_PORT', kind: 'port', default: '18083', help: 'port of the API (EMQX 5.x uses 18083, 4.4 its management API on 8081); 0 picks a free one' },
  { flag: 'dashboard-port', env: 'SIDECAR_SIM_DASHBOARD_PORT', kind: 'port', default: '0', help: '4.4 profiles: port of the dashboard listener (18083 on EMQX 4.4: /api/v4 with dashboard-user login, no /status); 0 picks a free one' },
  { flag: 'node-name', env: 'SIDECAR_SIM_NODE_NAME', kind: 'string', default: 'emqx@127.0.0.1', help: 'Erlang node name the node reports' },
  { flag: 'username', env: 'SIDECAR_SIM_USERNAME', kind: 'string', default: 'admin', help: 'API key (5.x) / AppID (4.4) the simulated API accepts' },
  { flag: 'password', env: 'SIDECAR_SIM_PASSWORD', kind: 'secret', fileVariant: true, default: 'public', help: 'API secret / AppSecret the simulated API accepts' },
  { flag: 'connections', env: 'SIDECAR_SIM_CONNECTIONS', kind: 'int', default: '0', min: 0, help: 'connection count reported in rebalance status' },
  ...commonOptions,
]

/** Options of `emqx-lb-sidecar demo` (`npm run demo`). Variables SIDECAR_DEMO_*. */
export const demoOptions: readonly OptionSpec[] = [
  { flag: 'lb-config', env: 'SIDECAR_DEMO_LB_CONFIG', kind: { enum: ['haproxy-agent.cfg', 'haproxy-httpchk.cfg'] }, default: 'haproxy-agent.cfg', help: 'which shipped HAProxy config to run (from haproxy/)' },
  { flag: 'mqtt-port', env: 'SIDECAR_DEMO_MQTT_PORT', kind: 'port', default: '0', help: 'port HAProxy listens on for MQTT (0: a free one, shown on screen)' },
  { flag: 'clients', env: 'SIDECAR_DEMO_CLIENTS', kind: 'int', default: '30', min: 0, max: 5000, help: 'MQTT clients the demo keeps connected through HAProxy' },
  { flag: 'wait-health-check', env: 'SIDECAR_DEMO_WAIT_HEALTH_CHECK', kind: 'duration', default: '5s', min: 0, help: 'how long a simulated donor/evacuating node waits before it evicts clients' },
  { flag: 'evict-rate', env: 'SIDECAR_DEMO_EVICT_RATE', kind: 'int', default: '5', min: 1, max: 1000, help: 'clients evicted per second by a simulated donor/evacuating node' },
]
