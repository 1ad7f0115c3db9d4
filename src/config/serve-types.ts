import type { LOG_FORMATS, LOG_LEVELS } from './table.js'
import type { AGENT_DRAIN_WORDS } from './serve-listener-options.js'
import type { ParsedOptions } from './parse.js'
import type { Secret } from './secret.js'

/** The shape of serve's configuration, as the domain reads it (serve-config.ts builds it from the option table). */
export type ApiVersionSetting = 'auto' | 'v4' | 'v5'
export type LogLevel = (typeof LOG_LEVELS)[number]
export type LogFormat = (typeof LOG_FORMATS)[number]
export type AgentDrainWord = (typeof AGENT_DRAIN_WORDS)[number]

export interface EmqxConfig {
  /** base URL of the API; in auto mode with the default URL, 4.4's port 8081 is tried too */
  readonly url: URL
  readonly urlExplicit: boolean
  readonly apiVersion: ApiVersionSetting
  readonly username?: string
  readonly password?: Secret
  readonly caFile?: string
  readonly timeoutMs: number
}

/** Limits of the HTTP listener (node's http.Server settings). */
export interface HttpLimits {
  readonly maxHeaderSize: number
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly keepAliveTimeoutMs: number
  readonly maxConnections: number
}

/** Admin endpoints exist only when a token is configured. */
export interface AdminConfig {
  readonly token: Secret
  /** a separate listener for the admin endpoints; when absent they are served on the main port */
  readonly listen?: { readonly host: string, readonly port: number }
}

/** The evacuation parameters the sidecar sends (--evacuation-* settings), in EMQX's units. */
export interface EvacuationSettings {
  /** 5.1+: EMQX answers 503 but still accepts connections this long, so load balancers react first */
  readonly waitHealthCheckS: number
  readonly connEvictRate: number
  readonly sessEvictRate: number
  readonly waitTakeoverS: number
  /** MQTT 5 Server-Reference for evicted clients: honoured by 4.4; EMQX 5.x's HTTP API accepts and ignores it */
  readonly redirectTo?: string
  /** nodes that receive the remaining sessions; EMQX picks when empty */
  readonly migrateTo: readonly string[]
}

export interface EvacuationConfig {
  readonly settings: EvacuationSettings
  readonly timeoutMs: number
  /** stop an evacuation of this node found at start-up (left over from before a restart) */
  readonly stopOnStart: boolean
  /** acknowledged evacuation (src/checkers/rule.ts) */
  readonly ack: {
    readonly enabled: boolean
    readonly graceMs: number
    readonly expectCheckers: number
    /** --connect-baseline-interval */
    readonly baselineMs: number
  }
}

export interface CheckerConfig {
  readonly waitHealthCheckMs: number
  readonly checkerFall: number
  readonly maxCheckers: number
  readonly checkerTtlMs: number
  readonly metricsPerSource: boolean
}

export interface ClusterConfig {
  /** 0 = off */
  readonly intervalMs: number
  /** --expect-cluster-size: the membership drain (state/membership.ts); 0 = off */
  readonly expectSize: number
  readonly conn: { readonly abs: number, readonly rel: number }
  readonly sess: { readonly abs: number, readonly rel: number }
}

export interface ServeConfig {
  readonly emqx: EmqxConfig
  readonly http: HttpLimits
  readonly pollIntervalMs: number
  readonly failureThreshold: number
  readonly host: string
  readonly port: number
  /** HAProxy agent-check listener; 0 = disabled */
  readonly agentPort: number
  readonly agentHost: string
  readonly agentMaxConnections: number
  /** the agent-check admin word for draining and stopping (src/agent/words.ts) */
  readonly agentDrainWord: AgentDrainWord
  /** --agent-ramp: the agent's weight rises from 10% to 100% this long after the node turns up; 0 = off */
  readonly agentRampMs: number
  /** GET /events streams open at once (the live page) */
  readonly eventsMaxClients: number
  /** listen() backlog asked for every listener (the kernel caps it at net.core.somaxconn) */
  readonly listenBacklog: number
  readonly shutdownDelayMs: number
  readonly logLevel: LogLevel
  readonly logFormat: LogFormat
  readonly drainFile?: string
  readonly admin?: AdminConfig
  readonly evacuation: EvacuationConfig
  readonly checkers: CheckerConfig
  readonly cluster: ClusterConfig
}

/** A loader's result: the config, and what was parsed (actions, warnings) */
export interface Loaded<T> {
  readonly config: T
  readonly parsed: ParsedOptions
}
