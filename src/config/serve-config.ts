import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.js'
import { serveOptions } from './options.js'
import type { OptionValues } from './table.js'
import { errnoCode, parseOptions, type Env, type ParsedOptions } from './parse.js'
import { portClashes } from './port-clashes.js'
import type { AdminConfig, EmqxConfig, EvacuationConfig, EvacuationSettings, HttpLimits, Loaded, ServeConfig } from './serve-types.js'

export const MIN_ADMIN_TOKEN_LENGTH = 16

export const DEFAULT_V5_URL = 'http://127.0.0.1:18083'
export const DEFAULT_V4_URL = 'http://127.0.0.1:8081'

/** Flags + env -> validated, frozen ServeConfig. Throws ConfigError listing every problem. */
export function loadServeConfig (argv: readonly string[], env: Env,
  readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): Loaded<ServeConfig> {
  const parsed = parseOptions(serveOptions, argv, env, readFile)
  const { values: v, problems } = parsed
  const apiVersion = v['emqx-api-version']
  const username = v['emqx-username']
  const password = v['emqx-password']
  // a password (file) that was given but refused is reported once, by its own problem
  if (username !== undefined && password === undefined && !parsed.invalid.has('emqx-password')) {
    problems.push('--emqx-username is set but no password (SIDECAR_EMQX_PASSWORD or SIDECAR_EMQX_PASSWORD_FILE)')
  }
  if (password !== undefined && username === undefined && !parsed.invalid.has('emqx-username')) {
    problems.push('an EMQX password is set but no --emqx-username (SIDECAR_EMQX_USERNAME)')
  }
  const urlExplicit = parsed.explicit.has('emqx-url')
  const url = v['emqx-url'] ?? new URL(apiVersion === 'v4' ? DEFAULT_V4_URL : DEFAULT_V5_URL)
  const caFile = v['emqx-ca-file']
  if (caFile !== undefined && url.protocol !== 'https:') problems.push('--emqx-ca-file is set but --emqx-url is not https://')
  if (caFile !== undefined) { const p = caFileProblem(caFile, readFile); if (p !== undefined) problems.push(p) }
  const http: HttpLimits = Object.freeze({
    maxHeaderSize: v['http-max-header-size'],
    headersTimeoutMs: v['http-headers-timeout'],
    requestTimeoutMs: v['http-request-timeout'],
    keepAliveTimeoutMs: v['http-keep-alive-timeout'],
    maxConnections: v['http-max-connections'],
  })
  // node refuses to start a server whose headers timeout exceeds its request timeout
  if (http.headersTimeoutMs > http.requestTimeoutMs) {
    problems.push(`--http-headers-timeout (${http.headersTimeoutMs}ms) must not exceed --http-request-timeout (${http.requestTimeoutMs}ms)`)
  }
  const admin = adminConfig(parsed)
  const evacuation = evacuationConfig(parsed)
  // start-up would fail on the second of two listeners on one port: say so before
  problems.push(...portClashes([
    { flag: '--port', host: v['host'], port: v['port'] },
    { flag: '--agent-port', host: v['agent-host'] ?? v['host'], port: v['agent-port'] },
    ...(admin?.listen !== undefined ? [{ flag: '--admin-port', host: admin.listen.host, port: admin.listen.port }] : []),
  ].filter((l) => l.port !== undefined)))
  if (admin !== undefined && username === undefined) {
    parsed.warnings.push('admin endpoints are enabled but no EMQX credentials are set: ' +
      '/admin/evacuate and /prestop need them (the rebalance API requires auth)')
  }
  membershipProblems(parsed, username !== undefined)
  if (v['agent-ramp'] > 0 && v['agent-port'] === 0) {
    problems.push('--agent-ramp is set but the agent-check listener is off (--agent-port 0)')
  }
  if (problems.length > 0 && !parsed.actions.help && !parsed.actions.version) throw new ConfigError(problems)

  const emqx: EmqxConfig = Object.freeze({
    url,
    urlExplicit,
    apiVersion,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    timeoutMs: v['emqx-timeout'],
  })
  const config: ServeConfig = Object.freeze({
    emqx,
    http,
    pollIntervalMs: v['poll-interval'],
    failureThreshold: v['failure-threshold'],
    host: v['host'],
    port: v['port'],
    agentPort: v['agent-port'],
    agentHost: v['agent-host'] ?? v['host'],
    agentMaxConnections: v['agent-max-connections'],
    agentDrainWord: v['agent-drain-word'],
    agentRampMs: v['agent-ramp'],
    eventsMaxClients: v['events-max-clients'],
    listenBacklog: v['listen-backlog'],
    shutdownDelayMs: v['shutdown-delay'],
    logLevel: v['log-level'],
    logFormat: v['log-format'],
    ...(v['drain-file'] !== undefined ? { drainFile: v['drain-file'] } : {}),
    ...(admin !== undefined ? { admin } : {}),
    evacuation,
    checkers: Object.freeze({
      waitHealthCheckMs: v['wait-health-check'],
      checkerFall: v['checker-fall'],
      maxCheckers: v['max-checkers'],
      checkerTtlMs: v['checker-ttl'],
      metricsPerSource: v['checker-metrics-per-source'],
    }),
    cluster: Object.freeze({
      intervalMs: v['cluster-interval'],
      expectSize: v['expect-cluster-size'],
      conn: Object.freeze({ abs: v['rebalance-abs-conn-threshold'], rel: v['rebalance-rel-conn-threshold'] }),
      sess: Object.freeze({ abs: v['rebalance-abs-sess-threshold'], rel: v['rebalance-rel-sess-threshold'] }),
    }),
  })
  return { config, parsed }
}

/** The HTTP limits' defaults, from the option table (for apps built without a full config, e.g. in tests). */
export function defaultHttpLimits (): HttpLimits {
  return loadServeConfig([], {}).config.http
}

/** --events-max-clients' default, from the option table (for apps built without a full config). */
export function defaultEventsMaxClients (): number {
  return loadServeConfig([], {}).config.eventsMaxClients
}

type ServeParsed = ParsedOptions<OptionValues<typeof serveOptions>>

function adminConfig ({ values: v, explicit, invalid, problems }: ServeParsed): AdminConfig | undefined {
  const token = v['admin-token']
  const port = v['admin-port']
  if (token === undefined) {
    if ((port !== undefined || explicit.has('admin-host')) && !invalid.has('admin-token')) {
      problems.push('--admin-port/--admin-host are set but no admin token (SIDECAR_ADMIN_TOKEN or SIDECAR_ADMIN_TOKEN_FILE)')
    }
    return undefined
  }
  // Never echo the token: only its length is wrong.
  if (token.reveal().length < MIN_ADMIN_TOKEN_LENGTH) problems.push(`the admin token is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters`)
  if (/\s/.test(token.reveal())) problems.push('the admin token contains whitespace')
  if (explicit.has('admin-host') && port === undefined) problems.push('--admin-host is set but --admin-port is not')
  return Object.freeze({ token, ...(port !== undefined ? { listen: Object.freeze({ host: v['admin-host'], port }) } : {}) })
}

/**
 * --expect-cluster-size is all or nothing: without credentials or with the cluster reads off, the view could never be read and
 * the node would never drain for it, silently; so the sidecar refuses to start. Two nodes are allowed, with a warning.
 */
function membershipProblems ({ values: v, problems, warnings }: ServeParsed, credentials: boolean): void {
  const n = v['expect-cluster-size']
  if (n === 0) return
  if (!credentials) {
    problems.push(`--expect-cluster-size ${n} needs EMQX credentials (--emqx-username and a password): the cluster view ` +
      '(GET /api/v5/cluster, 4.4\'s /api/v4/nodes) needs an API key')
  }
  if (v['cluster-interval'] === 0) problems.push(`--expect-cluster-size ${n} needs the cluster view read: --cluster-interval is 0`)
  if (n === 2) {
    warnings.push('--expect-cluster-size 2: a node alone cannot tell its peer stopped from itself cut off, so the survivor of a ' +
      'peer\'s stop or restart drains too (no node serves); see docs/cluster-membership.md')
  }
}

function evacuationConfig ({ values: v, invalid, problems }: ServeParsed): EvacuationConfig {
  const seconds = (flag: 'wait-health-check' | 'evacuation-wait-takeover'): number => {
    const ms = v[flag]
    if (!invalid.has(flag) && ms % 1000 !== 0) problems.push(`--${flag}: EMQX takes whole seconds (got ${ms}ms)`)
    return Math.ceil(ms / 1000)
  }
  const redirectTo = v['evacuation-redirect-to']
  const migrateTo = (v['evacuation-migrate-to'] ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '')
  for (const n of migrateTo) {
    if (!/^[^@\s]+@[^@\s]+$/.test(n)) problems.push(`--evacuation-migrate-to: "${n}" is not an EMQX node name (name@host)`)
  }
  const settings: EvacuationSettings = Object.freeze({
    waitHealthCheckS: seconds('wait-health-check'),
    connEvictRate: v['evacuation-conn-evict-rate'],
    sessEvictRate: v['evacuation-sess-evict-rate'],
    waitTakeoverS: seconds('evacuation-wait-takeover'),
    ...(redirectTo !== undefined ? { redirectTo } : {}),
    migrateTo: Object.freeze(migrateTo),
  })
  const ack = Object.freeze({
    enabled: v['evacuation-ack'] === 'on',
    graceMs: v['evacuation-ack-grace'],
    expectCheckers: v['expect-checkers'],
    baselineMs: v['connect-baseline-interval'],
  })
  return Object.freeze({ settings, timeoutMs: v['evacuation-timeout'], stopOnStart: v['evacuation-stop-on-start'], ack })
}

/** The CA bundle is read when the EMQX client is built: an unreadable one is a config problem, found by --check-config. */
function caFileProblem (path: string, readFile: (p: string) => string): string | undefined {
  let text: string
  try { text = readFile(path) } catch (err) {
    return `--emqx-ca-file: cannot read ${path} (${errnoCode(err)})`
  }
  return text.includes('-----BEGIN CERTIFICATE-----') ? undefined : `--emqx-ca-file: ${path} holds no PEM certificate`
}

/** What --check-config prints and the start-up log shows: every effective value, secrets redacted. */
export function describeConfig (config: ServeConfig): Record<string, unknown> {
  const shown = { ...config, emqx: { ...config.emqx, url: config.emqx.url.href }, admin: config.admin ?? null }
  return JSON.parse(JSON.stringify(shown)) as Record<string, unknown>
}
