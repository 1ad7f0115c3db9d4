import { parseOptions, type Env } from '../config/parse.js'
import type { Secret } from '../config/secret.js'
import type { Loaded, LogFormat, LogLevel } from '../config/serve-types.js'
import type { SimProfile } from '../emqx-double/profiles.js'
import { ConfigError } from '../errors.js'
import { simulateOptions } from './simulate-options.js'

export interface SimulateConfig {
  readonly profile: SimProfile
  readonly host: string
  readonly port: number
  /** 4.4 profiles: the dashboard listener's port */
  readonly dashboardPort: number
  readonly nodeName: string
  readonly username: string
  readonly password: Secret
  readonly connections: number
  /** the other nodes of the simulated cluster */
  readonly clusterPeers: readonly string[]
  readonly role: 'core' | 'replicant'
  readonly logLevel: LogLevel
  readonly logFormat: LogFormat
}

/** Flags + SIDECAR_SIM_* env -> frozen SimulateConfig. Throws ConfigError listing every problem. */
export function loadSimulateConfig (argv: readonly string[], env: Env, readFile?: (p: string) => string): Loaded<SimulateConfig> {
  const parsed = parseOptions(simulateOptions, argv, env, readFile)
  const { values: v, problems } = parsed
  const clusterPeers = v['cluster-peers'].split(',').map((n) => n.trim()).filter((n) => n !== '')
  for (const n of clusterPeers) {
    if (!/^[^@\s]+@[^@\s]+$/.test(n)) problems.push(`--cluster-peers: "${n}" is not an EMQX node name (name@host)`)
  }
  if (problems.length > 0 && !parsed.actions.help && !parsed.actions.version) throw new ConfigError(problems)
  const config: SimulateConfig = Object.freeze({
    profile: v['profile'],
    host: v['host'],
    port: v['port'],
    dashboardPort: v['dashboard-port'],
    nodeName: v['node-name'],
    username: v['username'],
    password: v['password'],
    connections: v['connections'],
    clusterPeers: Object.freeze(clusterPeers),
    role: v['role'],
    logLevel: v['log-level'],
    logFormat: v['log-format'],
  })
  return { config, parsed }
}
