import { ConfigError } from '../errors.js'
import { simulateOptions, type SimProfile } from './options.js'
import { parseOptions, type Env } from './parse.js'
import type { Secret } from './secret.js'
import type { Loaded, LogLevel } from './serve-config.js'

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
  readonly logLevel: LogLevel
}

/** Flags + SIDECAR_SIM_* env -> frozen SimulateConfig. Throws ConfigError listing every problem. */
export function loadSimulateConfig (argv: readonly string[], env: Env, readFile?: (p: string) => string): Loaded<SimulateConfig> {
  const parsed = parseOptions(simulateOptions, argv, env, readFile)
  const { values: v, problems } = parsed
  if (problems.length > 0 && !parsed.actions.help && !parsed.actions.version) throw new ConfigError(problems)
  const config: SimulateConfig = Object.freeze({
    profile: v.get('profile') as SimProfile,
    host: v.get('host') as string,
    port: v.get('port') as number,
    dashboardPort: v.get('dashboard-port') as number,
    nodeName: v.get('node-name') as string,
    username: v.get('username') as string,
    password: v.get('password') as Secret,
    connections: v.get('connections') as number,
    logLevel: v.get('log-level') as LogLevel,
  })
  return { config, parsed }
}
