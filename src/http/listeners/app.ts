import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { AgentDrainWord } from '../../config/serve-types.js'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { defaultEventsMaxClients, defaultHttpLimits } from '../../config/serve-config.js'
import type { ClusterConfig, HttpLimits } from '../../config/serve-types.js'
import type { Metrics } from '../../metrics/registry.js'
import type { ArrivalWatch } from '../../ack/arrivals.js'
import type { DrainAcknowledgement } from '../../ack/drain.js'
import type { CheckerTracker } from '../../checkers/tracker.js'
import type { Heartbeat } from '../../state/heartbeat.js'
import type { Store } from '../../state/store.js'
import { registerAdmin, type AdminOptions } from '../routes/admin.js'
import { addCommonHandlers, addLivezAndMetrics, fastifyLogger, type Liveness } from '../routes/common.js'
import { createProbeServer } from './fast-path.js'
import { AVAILABILITY_PATHS, HttpProbes } from './probe.js'
import { applyServerLimits, serverOptions, warnOnceAtLimit } from './limits.js'
import { registerLive } from '../routes/live.js'
import { statusDocument } from '../views/status.js'
import { LogCodes } from '../../errors.js'

export interface AppOptions {
  readonly store: Store
  readonly metrics: Metrics
  readonly log: Logger
  /** listener limits; the option table's defaults when absent */
  readonly limits?: HttpLimits
  /** admin endpoints on this app (token configured, no separate admin listener) */
  readonly admin?: Omit<AdminOptions, 'metrics' | 'store' | 'log'>
  /** records who probes and what they were told (drain acknowledgement) */
  readonly tracker?: CheckerTracker
  /** the drain's acknowledgement, for /status */
  readonly drainAck?: DrainAcknowledgement
  /** EMQX's CONNECT counter, for /status */
  readonly arrivals?: ArrivalWatch
  readonly cluster?: ClusterConfig
  /** the agent-check listener runs: /status shows its words (with --agent-ramp, the weight) */
  readonly agent?: { readonly rampMs: number, readonly drainWord: AgentDrainWord }
  /** the poll loop's heartbeat: /livez fails when it stalls */
  readonly heartbeat?: Heartbeat
  /** GET /events: --events-max-clients (the option table's default when absent); tests shorten the intervals */
  readonly events?: { readonly maxClients?: number, readonly heartbeatMs?: number, readonly progressMs?: number }
}

/**
 * The HTTP app, without listen(): main.ts listens, tests listen on port 0 or use inject().
 * Probe routes only read the store; nothing here waits on EMQX.
 */
export function buildApp ({
  store, metrics, log, limits = defaultHttpLimits(), admin, tracker, drainAck, arrivals, cluster, agent, heartbeat, events,
}: AppOptions): FastifyInstance {
  // The one probe path (./probe.ts), for the server's fast path (./fast-path.ts) and for the routes below.
  const probes = new HttpProbes({ store, recorder: metrics, tracker })
  const app = baseApp(log, limits, () => { metrics.connectionDropped('http') }, probes)

  // Reached by inject() and by request targets the fast path does not match (absolute-form URLs):
  // the same answer, written on the raw response.
  const availability = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.hijack()
    probes.serve(req.raw, reply.raw)
  }
  for (const url of AVAILABILITY_PATHS) {
    app.route({ method: ['GET', 'HEAD', 'OPTIONS'], url, handler: availability })
    // a checker configured with the wrong method learns that from the answer, not from a 404
    app.route({ method: OTHER_METHODS, url, handler: notAllowed('GET, HEAD, OPTIONS') })
  }

  addLivezAndMetrics(app, metrics.registry, heartbeat === undefined ? undefined : pollLoopLiveness(heartbeat))
  app.route({ method: OTHER_METHODS, url: '/status', handler: notAllowed('GET') })
  const ctx = {
    ...(tracker !== undefined ? { tracker } : {}),
    ...(drainAck !== undefined ? { drainAck } : {}),
    ...(arrivals !== undefined ? { arrivals } : {}),
    ...(cluster !== undefined ? { cluster } : {}),
    ...(agent !== undefined ? { agent } : {}),
  }
  app.get('/status', async (_req, reply) => {
    await reply.type('application/json').send(JSON.stringify(statusDocument(store.current, Date.now(), ctx), null, 2) + '\n')
  })

  // the live page and its event stream: the same document as /status, pushed on every change
  registerLive(app, {
    store,
    render: (now) => statusDocument(store.current, now, ctx),
    maxClients: events?.maxClients ?? defaultEventsMaxClients(),
    ...(events?.heartbeatMs !== undefined ? { heartbeatMs: events.heartbeatMs } : {}),
    ...(events?.progressMs !== undefined ? { progressMs: events.progressMs } : {}),
    onCount: (open) => { metrics.eventStreams(open) },
  })

  if (admin !== undefined) registerAdmin(app, { ...admin, store, metrics, log })
  return app
}

const OTHER_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE']

function notAllowed (allow: string) {
  return async (_req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await reply.code(405).header('allow', allow).type('application/json').send(JSON.stringify({ error: 'method_not_allowed', allow }))
  }
}

/** The separate admin listener (--admin-port): the admin endpoints and nothing else. */
export function buildAdminApp (o: AdminOptions & { readonly limits?: HttpLimits, readonly onDrop?: () => void }): FastifyInstance {
  const app = baseApp(o.log, o.limits ?? defaultHttpLimits(), o.onDrop)
  registerAdmin(app, o)
  return app
}

/**
 * Settings, limits and handlers both listeners share. `onDrop` runs for each connection refused at the limit.
 * `probes` answers availability probes before fastify's routing (fast-path.ts); the admin listener has none.
 */
function baseApp (
  log: Logger, limits: HttpLimits, onDrop?: () => void, probes?: HttpProbes
): FastifyInstance {
  const httpLog = log.child({ component: 'http' })
  // fastify applies these itself only to a server it creates, so the probe server gets them too
  const timeouts = {
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.requestTimeoutMs,
  }
  const serverFactory = probes === undefined
    ? undefined
    : (handler: (req: IncomingMessage, res: ServerResponse) => void) => createProbeServer(handler, probes, timeouts, serverOptions(limits))
  const app = Fastify({
    loggerInstance: fastifyLogger(log),
    // one probe per second per checker: per-request log lines would drown everything else
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    return503OnClosing: false,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // a socket silent for this long is closed (the admin listener; the probe listener arms it per request: fast-path.ts)
    connectionTimeout: limits.requestTimeoutMs,
    // probes carry no body; anything sent is refused early instead of buffered
    bodyLimit: 4096,
    http: serverOptions(limits),
    ...(serverFactory !== undefined ? { serverFactory } : {}),
  })
  const warn = warnOnceAtLimit(httpLog, LogCodes.HTTP_CONNECTION_LIMIT, 'HTTP', limits.maxConnections)
  applyServerLimits(app.server, limits, () => { onDrop?.(); warn() })
  addCommonHandlers(app)
  app.setErrorHandler(async (err: { statusCode?: number, code?: string }, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    await reply.code(status).type('application/json').send(JSON.stringify({ error: err.code ?? 'error' }))
  })
  return app
}

/** Liveness of the sidecar: its poll loop keeps starting EMQX checks (however EMQX answers them). */
function pollLoopLiveness (h: Heartbeat): Liveness {
  return {
    alive: () => h.alive(),
    explain: () => {
      const since = Math.round(h.sinceLastMs())
      return {
        reason: 'poll_loop_stalled',
        message: `no EMQX check started for ${since}ms (allowed ${h.boundMs}ms: poll interval, EMQX timeouts and a grace)`,
        since_last_check_start_ms: since,
        bound_ms: h.boundMs,
      }
    },
  }
}
