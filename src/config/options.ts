import type { Secret } from './secret.js'

/**
 * The option tables: one row per setting, with its flag, its SIDECAR_ environment variable, its default
 * and its help. Defaults live here and nowhere else. Variables are prefixed SIDECAR_ because Kubernetes
 * service links inject bare EMQX_* and *_PORT variables into every pod (a Service named `emqx` injects EMQX_PORT=tcp://...).
 */
export type OptionKind =
  | 'string' | 'url' | 'duration' | 'port' | 'int' | 'number' | 'bool' | 'secret' | 'path' | 'address'
  | { readonly enum: readonly string[] }

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

/** What a kind parses to: the tables declare kinds, and the loaders read values of these types (no casts). */
export type KindValue<K> =
  K extends 'string' | 'path' | 'address' ? string
    : K extends 'url' ? URL
      : K extends 'duration' | 'port' | 'int' | 'number' ? number
        : K extends 'bool' ? boolean
          : K extends 'secret' ? Secret
            : K extends { readonly enum: ReadonlyArray<infer E> } ? E
              : never

/**
 * The parsed values of one command's table, by flag. An option with a default always has a value;
 * one without may be undefined. A flag name that is not in the table does not compile.
 */
export type OptionValues<S extends readonly OptionSpec[]> = {
  readonly [O in S[number] as O['flag']]: O extends { readonly default: string } ? KindValue<O['kind']> : KindValue<O['kind']> | undefined
}

/**
 * A command's option table: the rows keep their literal types (so OptionValues knows each flag's
 * kind and whether it has a default), and every row still reads as an OptionSpec (`row.default`).
 */
export function optionTable<const S extends readonly OptionSpec[]> (rows: S): OptionTable<S> {
  // every row is an OptionSpec already (the constraint); the mapped type only adds optional fields it lacks
  return rows as OptionTable<S>
}

export type OptionTable<S extends readonly OptionSpec[]> = { readonly [I in keyof S]: S[I] & Partial<Omit<OptionSpec, 'flag' | 'kind' | 'help'>> }

export function envName (flag: string): string {
  return `SIDECAR_${flag.toUpperCase().replace(/-/g, '_')}`
}

/** The environment variable of an option: its own `env`, else SIDECAR_<FLAG>. */
export function envOf (spec: OptionSpec): string {
  return spec.env ?? envName(spec.flag)
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Options shared by every command that talks to the log. */
export const commonOptions = optionTable([
  { flag: 'log-level', kind: { enum: LOG_LEVELS }, default: 'info', help: 'log level: fatal, error, warn, info, debug, trace, silent' },
])

/** Options of the sidecar itself (`emqx-lb-sidecar` / `emqx-lb-sidecar serve`). */
export const serveOptions = optionTable([
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
  { flag: 'wait-health-check', kind: 'duration', default: '60s', min: 0, help: 'the wait_health_check EMQX uses for evacuations/rebalances here (whole seconds): checkers too slow to take the node out within it are warned about. /admin/evacuate and /prestop wait at most this long for the load balancers (--evacuation-ack), and send it as is when no checker is seen' },
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
  { flag: 'evacuation-ack', kind: { enum: ['on', 'off'] }, default: 'on', help: 'on: /admin/evacuate and /prestop drain at once and ask EMQX to evict only once every checker has been told (HTTP: --checker-fall drain answers; agent: one) plus --evacuation-ack-grace, at most --wait-health-check; off: EMQX waits the whole wait_health_check blind' },
  { flag: 'evacuation-ack-grace', kind: 'duration', default: '1s', min: 0, help: 'time a load balancer gets to act on the drain after it has been told, before EMQX evicts (--evacuation-ack on)' },
  { flag: 'expect-checkers', kind: 'int', default: '0', min: 0, max: 100000, help: 'load-balancer checkers that must have been seen and told before an evacuation may evict early; with fewer (or none) the whole --wait-health-check is waited' },
  { flag: 'evacuation-timeout', kind: 'duration', default: '5m', min: 1000, help: 'deadline of an evacuation: /prestop answers when EMQX reports it finished or when this passes' },
  ...commonOptions,
])
