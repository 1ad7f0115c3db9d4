import { ConfigError } from '../errors.js'
import { serveOptions, LOG_LEVELS } from './options.js'
import { parseOptions, type Env, type ParsedOptions } from './parse.js'
import type { Secret } from './secret.js'

export type ApiVersionSetting = 'auto' | 'v4' | 'v5'
export type LogLevel = (typeof LOG_LEVELS)[number]

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

export interface ProberConfig {
  readonly waitHealthCheckMs: number
  readonly checkerFall: number
  readonly maxCheckers: number
  readonly checkerTtlMs: number
  readonly metricsPerSource: boolean
}

export interface ClusterConfig {
  /** 0 = off */
  readonly intervalMs: number
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
  readonly shutdownDelayMs: number
  readonly logLevel: LogLevel
  readonly probers: ProberConfig
  readonly cluster: ClusterConfig
}

export const DEFAULT_V5_URL = 'http://127.0.0.1:18083'
export const DEFAULT_V4_URL = 'http://127.0.0.1:8081'

export interface Loaded<T> {
  readonly config: T
  readonly parsed: ParsedOptions
}

/** Flags + env -> validated, frozen ServeConfig. Throws ConfigError listing every problem. */
export function loadServeConfig (argv: readonly string[], env: Env, readFile?: (p: string) => string): Loaded<ServeConfig> {
  const parsed = parseOptions(serveOptions, argv, env, readFile)
  const { values: v, problems } = parsed
  const apiVersion = v.get('emqx-api-version') as ApiVersionSetting
  const username = v.get('emqx-username') as string | undefined
  const password = v.get('emqx-password') as Secret | undefined
  if (username !== undefined && password === undefined) problems.push('--emqx-username is set but no password (SIDECAR_EMQX_PASSWORD or SIDECAR_EMQX_PASSWORD_FILE)')
  if (password !== undefined && username === undefined) problems.push('an EMQX password is set but no --emqx-username (SIDECAR_EMQX_USERNAME)')
  const urlExplicit = parsed.explicit.has('emqx-url')
  const url = (v.get('emqx-url') as URL | undefined) ?? new URL(apiVersion === 'v4' ? DEFAULT_V4_URL : DEFAULT_V5_URL)
  const caFile = v.get('emqx-ca-file') as string | undefined
  if (caFile !== undefined && url.protocol !== 'https:') problems.push('--emqx-ca-file is set but --emqx-url is not https://')
  const http: HttpLimits = Object.freeze({
    maxHeaderSize: v.get('http-max-header-size') as number,
    headersTimeoutMs: v.get('http-headers-timeout') as number,
    requestTimeoutMs: v.get('http-request-timeout') as number,
    keepAliveTimeoutMs: v.get('http-keep-alive-timeout') as number,
    maxConnections: v.get('http-max-connections') as number,
  })
  // node refuses to start a server whose headers timeout exceeds its request timeout
  if (http.headersTimeoutMs > http.requestTimeoutMs) problems.push(`--http-headers-timeout (${http.headersTimeoutMs}ms) must not exceed --http-request-timeout (${http.requestTimeoutMs}ms)`)
  if (problems.length > 0 && !parsed.actions.help && !parsed.actions.version) throw new ConfigError(problems)

  const emqx: EmqxConfig = Object.freeze({
    url,
    urlExplicit,
    apiVersion,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    timeoutMs: v.get('emqx-timeout') as number,
  })
  const config: ServeConfig = Object.freeze({
    emqx,
    http,
    pollIntervalMs: v.get('poll-interval') as number,
    failureThreshold: v.get('failure-threshold') as number,
    host: v.get('host') as string,
    port: v.get('port') as number,
    shutdownDelayMs: v.get('shutdown-delay') as number,
    logLevel: v.get('log-level') as LogLevel,
    probers: Object.freeze({
      waitHealthCheckMs: v.get('wait-health-check') as number,
      checkerFall: v.get('checker-fall') as number,
      maxCheckers: v.get('max-checkers') as number,
      checkerTtlMs: v.get('checker-ttl') as number,
      metricsPerSource: v.get('checker-metrics-per-source') as boolean,
    }),
    cluster: Object.freeze({
      intervalMs: v.get('cluster-interval') as number,
      conn: Object.freeze({ abs: v.get('rebalance-abs-conn-threshold') as number, rel: v.get('rebalance-rel-conn-threshold') as number }),
      sess: Object.freeze({ abs: v.get('rebalance-abs-sess-threshold') as number, rel: v.get('rebalance-rel-sess-threshold') as number }),
    }),
  })
  return { config, parsed }
}

/** The HTTP limits' defaults, from the option table (for apps built without a full config, e.g. in tests). */
export function defaultHttpLimits (): HttpLimits {
  return loadServeConfig([], {}).config.http
}

/** What --check-config prints and the start-up log shows: every effective value, secrets redacted. */
export function describeConfig (config: ServeConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ ...config, emqx: { ...config.emqx, url: config.emqx.url.href } })) as Record<string, unknown>
}
