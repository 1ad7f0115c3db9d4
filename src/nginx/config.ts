import type { LogFormat, LogLevel } from '../config/serve-types.js'
import type { SyncNode } from './nodes.js'

/** nginx-sync's balancing methods (render.ts turns each into upstream lines; --balance offers them). */
export const BALANCES = ['least_conn', 'round_robin', 'hash_remote_addr', 'random'] as const
export type Balance = (typeof BALANCES)[number]

/** What nginx-sync runs with (commands/nginx-sync-config.ts builds it from its option table). */
export interface NginxSyncConfig {
  readonly nodes: readonly SyncNode[]
  /** where the nodes came from, for logs: `--nodes` or the file name */
  readonly nodesSource: string
  readonly output: string
  /** reload-free mode: the state file njs reads (then output is '' and no command runs) */
  readonly njsState: string | undefined
  readonly upstreamName: string
  readonly balance: Balance
  readonly zoneSize: string
  readonly availabilityPath: string
  readonly pollIntervalMs: number
  readonly probeTimeoutMs: number
  readonly settleMs: number
  readonly minReloadIntervalMs: number
  readonly checkCommand: string
  readonly reloadCommand: string
  readonly commandTimeoutMs: number
  readonly host: string
  readonly port: number
  readonly once: boolean
  readonly logLevel: LogLevel
  readonly logFormat: LogFormat
}

/** What --check-config prints and the start-up log shows. */
export function describeNginxSyncConfig (c: NginxSyncConfig): Record<string, unknown> {
  return {
    ...c,
    nodes: c.nodes.map((n) => ({ address: n.address, sidecarUrl: n.sidecarUrl.href, params: n.params })),
  }
}
