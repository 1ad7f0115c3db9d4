import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { describeConfig, type ServeConfig } from './config/serve-config.js'
import { EmqxClient } from './emqx/client.js'
import { buildApp } from './http/app.js'
import { createMetrics } from './metrics/registry.js'
import { followDrains } from './probers/follow-store.js'
import { ProberTracker } from './probers/tracker.js'
import { ClusterWatcher } from './state/cluster-watcher.js'
import { Monitor } from './state/monitor.js'
import { Store } from './state/store.js'
import { initialSnapshot, moveTo } from './state/transition.js'
import { VERSION } from './version.js'

export interface Sidecar {
  readonly store: Store
  readonly httpPort: number
  /** answer 503 (stopping) at once, keep answering for shutdownDelayMs, then close everything */
  shutdown: (signal: string) => Promise<void>
}

/** Wiring only: config -> EMQX client -> store + monitor -> metrics -> HTTP server. */
export async function startSidecar (config: ServeConfig, log: Logger): Promise<Sidecar> {
  log.info({ version: VERSION, config: describeConfig(config) }, 'starting emqx-lb-sidecar')
  const store = new Store(initialSnapshot(Date.now()))
  const client = new EmqxClient(config.emqx)
  const monitor = new Monitor({ client, store, log: log.child({ component: 'monitor' }), pollIntervalMs: config.pollIntervalMs, failureThreshold: config.failureThreshold })
  const p = config.probers
  const tracker = new ProberTracker({
    maxCheckers: p.maxCheckers,
    ttlMs: p.checkerTtlMs,
    fall: { http: p.checkerFall, agent: 1 },
    budgetMs: p.waitHealthCheckMs,
    onSlowChecker: (c) => log.warn({ checker: c, waitHealthCheckMs: p.waitHealthCheckMs, code: 'checker_too_slow' },
      `checker ${c.kind} ${c.source} needs ~${c.detection_ms ?? '?'}ms (interval x fall) to take this node out, more than wait_health_check ${p.waitHealthCheckMs}ms: new connections may arrive after EMQX starts evicting`),
    onAcknowledged: (ack) => log.info({ drainAcknowledgement: ack, event: 'drain_acknowledged' },
      `drain acknowledged: all ${ack.checkers_active} checkers told after ${ack.acknowledged_after_seconds ?? '?'}s`),
  })
  followDrains(store, tracker)
  const cluster = new ClusterWatcher({ client, store, intervalMs: config.cluster.intervalMs, log: log.child({ component: 'cluster' }) })
  const metrics = createMetrics(store, { tracker, perSource: p.metricsPerSource, cluster: config.cluster })
  const app = buildApp({ store, metrics, log, limits: config.http, tracker, cluster: config.cluster })
  await app.listen({ host: config.host, port: config.port })
  const httpPort = (app.server.address() as AddressInfo).port
  log.info({ host: config.host, port: httpPort, event: 'listening' }, `HTTP listening on ${config.host}:${httpPort}`)
  monitor.start()
  cluster.start()

  let shuttingDown: Promise<void> | undefined
  const shutdown = async (signal: string): Promise<void> => {
    shuttingDown ??= (async () => {
      store.update((s) => moveTo(s, 'stopping', 'shutdown', `the sidecar is shutting down (${signal})`, Date.now()))
      log.info({ signal, delayMs: config.shutdownDelayMs }, 'shutting down: answering 503 (stopping) so load balancers take the node out')
      await monitor.stop()
      await cluster.stop()
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs))
      await app.close()
      await client.close()
      log.info('stopped')
    })()
    await shuttingDown
  }
  return { store, httpPort, shutdown }
}
