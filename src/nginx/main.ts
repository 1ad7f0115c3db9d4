import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { describeNginxSyncConfig, type NginxSyncConfig } from './config.js'
import { VERSION } from '../version.js'
import { buildSyncApp } from './app.js'
import { createSyncMetrics } from './metrics.js'
import { SidecarProber } from './probe.js'
import { NginxSync } from './sync.js'
import { LogEvents } from '../errors.js'

export interface RunningSync {
  readonly sync: NginxSync
  readonly httpPort: number
  shutdown: (signal: string) => Promise<void>
}

/** Wiring only: config -> prober -> sync loop -> metrics -> HTTP server. */
export async function startNginxSync (config: NginxSyncConfig, log: Logger): Promise<RunningSync> {
  log.info({ version: VERSION, config: describeNginxSyncConfig(config) }, 'starting emqx-lb-sidecar nginx-sync')
  const prober = new SidecarProber(config.probeTimeoutMs, config.availabilityPath)
  const sync = new NginxSync(config, prober, log.child({ component: 'sync' }))
  await sync.init()
  const app = buildSyncApp(sync, createSyncMetrics(sync), log)
  await app.listen({ host: config.host, port: config.port })
  const httpPort = (app.server.address() as AddressInfo).port
  log.info({ host: config.host, port: httpPort, event: LogEvents.LISTENING }, `HTTP listening on ${config.host}:${httpPort}`)
  sync.start()

  let stopping: Promise<void> | undefined
  const shutdown = async (signal: string): Promise<void> => {
    // The file stays as it is: nginx keeps working without us; only updates stop. In njs mode the state
    // file goes stale after a few poll intervals and njs then sends to every node.
    stopping ??= (async () => {
      log.info({ signal }, `shutting down; the ${config.njsState !== undefined ? 'njs state' : 'upstream'} file is left as it is`)
      await sync.stop()
      await app.close()
      await prober.close()
      log.info('stopped')
    })()
    await stopping
  }
  return { sync, httpPort, shutdown }
}

/** --once: one poll, applied at once (no settle); true when nginx runs with the result. */
export async function syncOnce (config: NginxSyncConfig, log: Logger): Promise<boolean> {
  const prober = new SidecarProber(config.probeTimeoutMs, config.availabilityPath)
  const sync = new NginxSync(config, prober, log.child({ component: 'sync' }))
  try {
    await sync.init()
    return await sync.tick()
  } finally { await prober.close() }
}
