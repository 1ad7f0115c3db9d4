import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { startAgentServer, type AgentServer } from './agent/server.js'
import { describeConfig } from './config/serve-config.js'
import type { ServeConfig } from './config/serve-types.js'
import { EmqxClient } from './emqx/client.js'
import { buildAdminApp, buildApp } from './http/listeners/app.js'
import { listenBacklog } from './http/listeners/backlog.js'
import { warnOnceAtLimit } from './http/listeners/limits.js'
import { checkerView, drainAckView } from './http/views/status-checkers.js'
import { createMetrics } from './metrics/registry.js'
import { DrainAcknowledgement } from './ack/drain.js'
import { ArrivalWatch } from './ack/arrivals.js'
import { ackPort } from './ack/wait.js'
import { CheckerTracker } from './checkers/tracker.js'
import { ClusterWatcher } from './state/cluster-watcher.js'
import { warnIgnoredSettings } from './state/compat-warnings.js'
import { DrainFileWatcher } from './state/drain-file.js'
import { Heartbeat, livenessBoundMs } from './state/heartbeat.js'
import { Evacuator } from './state/evacuator.js'
import { Monitor } from './state/monitor.js'
import { followKeyRefusals } from './state/key-refusals.js'
import { RebalanceAckWatch } from './ack/rebalance-watch.js'
import { Store } from './state/store.js'
import { initialSnapshot } from './state/transition.js'
import { listenProblem, StartError, UndoList } from './lifecycle/start-steps.js'
import { VERSION } from './version.js'
import { LogCodes, LogEvents } from './errors.js'

export interface Sidecar {
  readonly store: Store
  readonly httpPort: number
  /** the agent-check port, undefined when disabled (--agent-port 0) */
  readonly agentPort: number | undefined
  /** the separate admin listener's port, when --admin-port is set */
  readonly adminPort?: number
  /** answer 503 (stopping) at once, keep answering for shutdownDelayMs, then close everything */
  shutdown: (signal: string) => Promise<void>
}

/** GET /prestop may block for the evacuation deadline; its socket gets this much on top. */
const PRESTOP_MARGIN_MS = 30_000

/** Wiring only: config -> EMQX client -> store + monitor (+ drain file, evacuator) -> metrics -> HTTP servers + agent-check listener. */
export async function startSidecar (config: ServeConfig, log: Logger): Promise<Sidecar> {
  log.info({ version: VERSION, config: describeConfig(config) }, 'starting emqx-lb-sidecar')
  // All or nothing: every listener, then every watcher; a failing step closes what the earlier ones opened.
  const undo = new UndoList()
  try {
    return await start(config, log, undo)
  } catch (err) {
    await undo.unwind()
    throw err
  }
}

async function start (config: ServeConfig, log: Logger, undo: UndoList): Promise<Sidecar> {
  const core = wireState(config, log, undo)
  const domain = wireDomain(config, log, core)
  // Listeners first, in order: main HTTP, agent-check, admin; the watchers only once every listener is up.
  const listeners = await openListeners(config, log, undo, domain)
  const leftover = await startWatchers(config, log, undo, domain)
  log.info({ host: config.host, port: listeners.httpPort, event: LogEvents.LISTENING, admin: listeners.onMain },
    `HTTP listening on ${config.host}:${listeners.httpPort}`)
  return {
    store: domain.store,
    httpPort: listeners.httpPort,
    agentPort: listeners.agent?.port,
    ...(listeners.adminPort !== undefined ? { adminPort: listeners.adminPort } : {}),
    shutdown: shutdownOf(config, log, domain, listeners, leftover),
  }
}

/** The store, the EMQX client and what polls it: the monitor with its heartbeat, the drain file. */
function wireState (config: ServeConfig, log: Logger, undo: UndoList) {
  const storeLog = log.child({ component: 'store' })
  const store = new Store(initialSnapshot(Date.now()), (err, event) => {
    storeLog.error({ err, event, code: LogCodes.STORE_LISTENER_FAILED },
      `a reader of the store's ${event} event failed; the others still ran`)
  })
  const client = newClient(config)
  undo.push(async () => { await client.close() })
  const heartbeat = new Heartbeat({
    intervalMs: config.pollIntervalMs,
    boundMs: livenessBoundMs(config.pollIntervalMs, config.emqx.timeoutMs),
  })
  const monitor = new Monitor({
    client,
    store,
    log: log.child({ component: 'monitor' }),
    pollIntervalMs: config.pollIntervalMs,
    failureThreshold: config.failureThreshold,
    heartbeat,
  })
  followKeyRefusals(client, store, log.child({ component: 'credentials' }))
  warnIgnoredSettings(store, log.child({ component: 'evacuation' }), config.evacuation.settings)
  const drainFile = config.drainFile === undefined
    ? undefined
    : new DrainFileWatcher({
      path: config.drainFile, store, log: log.child({ component: 'drain-file' }), intervalMs: config.pollIntervalMs,
    })
  return { store, client, heartbeat, monitor, drainFile }
}

type Core = ReturnType<typeof wireState>
type Domain = ReturnType<typeof wireDomain>

/** Who probes and what they were told, the acknowledged evacuation, the cluster and rebalance watches, the metrics. */
function wireDomain (config: ServeConfig, log: Logger, core: Core) {
  const { store, client, heartbeat } = core
  const p = config.checkers
  const tracker = new CheckerTracker({
    maxCheckers: p.maxCheckers,
    ttlMs: p.checkerTtlMs,
    checkerFall: p.checkerFall,
    budgetMs: p.waitHealthCheckMs,
    onSlowChecker: (c) => log.warn({ checker: checkerView(c), waitHealthCheckMs: p.waitHealthCheckMs, code: LogCodes.CHECKER_TOO_SLOW },
      `checker ${c.kind} ${c.source} needs ~${c.detectionMs ?? '?'}ms (interval x fall) to take this node out, ` +
      `more than wait_health_check ${p.waitHealthCheckMs}ms: new connections may arrive after EMQX starts evicting`),
    onTold: (at) => { drainAck.checkerTold(at) },
  })
  const expect = config.evacuation.ack.expectCheckers
  const drainAck = new DrainAcknowledgement({
    store,
    tracker,
    expect,
    onAcknowledged: (ack) => {
      const after = ack.acknowledgedAfterMs === undefined ? '?' : ack.acknowledgedAfterMs / 1000
      log.info({ drainAcknowledgement: drainAckView(ack), event: LogEvents.DRAIN_ACKNOWLEDGED },
        `drain acknowledged: all ${ack.active} checkers told after ${after}s`)
    },
  })
  const { arrivals, evacuator } = wireEvacuation(config, log, core, tracker)
  const cluster = new ClusterWatcher({
    client,
    store,
    intervalMs: config.cluster.intervalMs,
    log: log.child({ component: 'cluster' }),
    membership: { expect: config.cluster.expectSize, failureThreshold: config.failureThreshold },
  })
  const rebalanceAck = new RebalanceAckWatch({
    store, checkers: tracker, expectCheckers: expect, log: log.child({ component: 'rebalance' }),
  })
  const metrics = createMetrics(store, {
    tracker, drainAck, perSource: p.metricsPerSource, cluster: config.cluster, heartbeat, rebalanceAck, arrivals,
  })
  return { ...core, tracker, drainAck, arrivals, evacuator, cluster, metrics }
}

/** The arrival watch (EMQX's own count of arriving CONNECTs: told is not stopped) and the evacuator waiting on both. */
function wireEvacuation (config: ServeConfig, log: Logger, core: Core, tracker: CheckerTracker) {
  const { store, client } = core
  const graceMs = config.evacuation.ack.graceMs
  const arrivals = new ArrivalWatch({
    read: async () => await client.connects(store.current.nodeName),
    counter: () => client.connectCounter(),
    store,
    log: log.child({ component: 'arrivals' }),
    pollIntervalMs: config.pollIntervalMs,
    baselineMs: config.evacuation.ack.baselineMs,
    graceMs,
  })
  const evacLog = log.child({ component: 'evacuation' })
  // the evacuation waits for the same acknowledgement rule (--evacuation-ack), and for arrivals to stop
  const expect = config.evacuation.ack.expectCheckers
  const ack = ackPort({
    checkers: tracker, graceMs, expect, log: evacLog, arrivals: (now) => arrivals.evidence(now), drainWord: config.agentDrainWord,
  })
  const evacuator = new Evacuator({ client, store, log: evacLog, config: config.evacuation, pollIntervalMs: config.pollIntervalMs, ack })
  return { arrivals, evacuator }
}

interface Listeners {
  readonly app: FastifyInstance
  readonly httpPort: number
  readonly agent: AgentServer | undefined
  readonly adminApp: FastifyInstance | undefined
  readonly adminPort: number | undefined
  /** the admin endpoints are served on the main listener */
  readonly onMain: boolean
}

/** The main HTTP listener, the agent-check listener and the admin listener, in that order. */
async function openListeners (config: ServeConfig, log: Logger, undo: UndoList, d: Domain): Promise<Listeners> {
  const { store, metrics, tracker } = d
  const adminOptions = config.admin === undefined
    ? undefined
    : { token: config.admin.token, evacuator: d.evacuator, prestopTimeoutMs: config.evacuation.timeoutMs + PRESTOP_MARGIN_MS }
  const onMain = adminOptions !== undefined && config.admin?.listen === undefined
  const app = buildApp({
    store,
    metrics,
    log,
    limits: config.http,
    tracker,
    drainAck: d.drainAck,
    arrivals: d.arrivals,
    cluster: config.cluster,
    ...(config.agentPort !== 0 ? { agent: { rampMs: config.agentRampMs, drainWord: config.agentDrainWord } } : {}),
    heartbeat: d.heartbeat,
    events: { maxClients: config.eventsMaxClients },
    ...(onMain ? { admin: adminOptions } : {}),
  })
  const backlog = listenBacklog(config.listenBacklog, log)
  await listenOrExplain(undo, { port: '--port', host: '--host' }, config.host, config.port,
    async () => await app.listen({ host: config.host, port: config.port, backlog }), async () => { await app.close() })
  const httpPort = (app.server.address() as AddressInfo).port
  const agent = await openAgent(config, log, undo, d, backlog)
  let adminApp: FastifyInstance | undefined
  let adminPort: number | undefined
  const listen = config.admin?.listen
  if (adminOptions !== undefined && listen !== undefined) {
    const admin = buildAdminApp({
      ...adminOptions, store, metrics, log, limits: config.http, onDrop: () => { metrics.connectionDropped('http') },
    })
    await listenOrExplain(undo, { port: '--admin-port', host: '--admin-host' }, listen.host, listen.port,
      async () => await admin.listen({ host: listen.host, port: listen.port, backlog }), async () => { await admin.close() })
    adminApp = admin
    adminPort = (admin.server.address() as AddressInfo).port
    log.info({ host: listen.host, port: adminPort, event: LogEvents.ADMIN_LISTENING },
      `admin endpoints listening on ${listen.host}:${adminPort}`)
  }
  return { app, httpPort, agent, adminApp, adminPort, onMain }
}

/** The HAProxy agent-check listener, unless --agent-port 0. */
async function openAgent (
  config: ServeConfig, log: Logger, undo: UndoList, d: Domain, backlog: number
): Promise<AgentServer | undefined> {
  if (config.agentPort === 0) return undefined
  const warnAgentLimit = warnOnceAtLimit(log, LogCodes.AGENT_CONNECTION_LIMIT, 'agent-check', config.agentMaxConnections)
  const onDrop = (): void => { d.metrics.connectionDropped('agent'); warnAgentLimit() }
  const agent = await listenOrExplain(undo, { port: '--agent-port', host: '--agent-host' }, config.agentHost, config.agentPort,
    async () => await startAgentServer(config.agentHost, config.agentPort, {
      store: d.store,
      drainWord: config.agentDrainWord,
      metrics: d.metrics,
      tracker: d.tracker,
      maxConnections: config.agentMaxConnections,
      onDrop,
      backlog,
      rampMs: config.agentRampMs,
    }),
    async (a) => { await a.close() })
  log.info({ host: config.agentHost, port: agent.port, event: LogEvents.AGENT_LISTENING },
    `HAProxy agent-check listening on ${config.agentHost}:${agent.port}`)
  return agent
}

/**
 * The watchers, once every listener is up. The drain file is read before the first EMQX check, so the first
 * answer already honours it. Returns what aborts a leftover evacuation's stop at shutdown.
 */
async function startWatchers (config: ServeConfig, log: Logger, undo: UndoList, d: Domain): Promise<AbortController> {
  const { drainFile, monitor, cluster, arrivals } = d
  if (drainFile !== undefined) {
    undo.push(() => { drainFile.stop() })
    await drainFile.start()
  }
  undo.push(async () => { await monitor.stop() })
  monitor.start()
  undo.push(async () => { await cluster.stop() })
  cluster.start()
  undo.push(async () => { await arrivals.stop() })
  arrivals.start()
  const leftover = new AbortController()
  if (config.evacuation.stopOnStart) {
    d.evacuator.stopLeftover(leftover.signal).catch((err: unknown) => {
      log.error({ err, code: LogCodes.INTERNAL_ERROR }, 'stopping a leftover evacuation failed unexpectedly')
    })
  }
  return leftover
}

/** Answer 503 (stopping) at once, keep answering for --shutdown-delay, then close everything; once, whatever the signals. */
function shutdownOf (
  config: ServeConfig, log: Logger, d: Domain, l: Listeners, leftover: AbortController
): (signal: string) => Promise<void> {
  let shuttingDown: Promise<void> | undefined
  return async (signal: string): Promise<void> => {
    shuttingDown ??= (async () => {
      d.store.stop(`the sidecar is shutting down (${signal})`, Date.now())
      log.info({ signal, delayMs: config.shutdownDelayMs },
        `shutting down: answering 503 (stopping) and agent ${config.agentDrainWord} so load balancers take the node out`)
      // In Kubernetes the sidecar gets SIGTERM while EMQX's preStop hook may still be waiting on
      // GET /prestop: keep following the evacuation (bounded by its deadline) before closing.
      leftover.abort()
      if (d.evacuator.progress !== undefined) await d.evacuator.settled()
      await d.monitor.stop()
      await d.cluster.stop()
      await d.arrivals.stop()
      d.drainFile?.stop()
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs))
      await d.evacuator.settled()
      await Promise.all([l.app.close(), l.agent?.close(), l.adminApp?.close()])
      await d.client.close()
      log.info('stopped')
    })()
    await shuttingDown
  }
}

/** Opens one listener; its failure becomes one line naming the flag. Once open, `close` joins the undo list. */
async function listenOrExplain<T> (undo: UndoList, flags: { port: string, host: string }, host: string, port: number,
  open: () => Promise<T>, close: (opened: T) => Promise<void>): Promise<T> {
  let opened: T
  try {
    opened = await open()
  } catch (err) {
    throw new StartError(listenProblem(flags, host, port, err))
  }
  undo.push(async () => { await close(opened) })
  return opened
}

/** The EMQX client reads --emqx-ca-file; a file gone since the config check still names its flag. */
function newClient (config: ServeConfig): EmqxClient {
  try {
    return new EmqxClient(config.emqx)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    throw new StartError(`--emqx-ca-file: cannot read ${config.emqx.caFile ?? '?'} (${typeof code === 'string' ? code : 'error'})`)
  }
}
