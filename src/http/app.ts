import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { ClusterConfig } from '../config/serve-config.js'
import type { Metrics } from '../metrics/registry.js'
import type { ProberTracker } from '../probers/tracker.js'
import type { Store } from '../state/store.js'
import { registerAdmin, type AdminOptions } from './admin.js'
import { AVAILABILITY_PATHS, cachedProbeAnswer } from './availability.js'
import { createProbeServer, writeProbeAnswer, type ServerTimeouts } from './fast-path.js'
import { statusDocument } from './status.js'

export interface AppOptions {
  readonly store: Store
  readonly metrics: Metrics
  readonly log: Logger
  /** admin endpoints on this app (token configured, no separate admin listener) */
  readonly admin?: Omit<AdminOptions, 'metrics' | 'store' | 'log'>
  /** records who probes and what they were told (drain acknowledgement) */
  readonly tracker?: ProberTracker
  readonly cluster?: ClusterConfig
}

const LIVE_BODY = '{"status":"alive"}'

/**
 * The HTTP app, without listen(): tests use inject() or listen on port 0, main.ts listens for real.
 * Probe routes only read the store; nothing here waits on EMQX.
 */
export function buildApp ({ store, metrics, log, admin, tracker, cluster }: AppOptions): FastifyInstance {
  // The one probe answer, for the server's fast path (fast-path.ts) and for the routes below.
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const a = cachedProbeAnswer(store.current)
    const code = a.status === 200 ? '200' : '503'
    metrics.probe('http', code)
    const ua = req.headers['user-agent']
    tracker?.observe({ source: req.socket.remoteAddress ?? 'unknown', kind: 'http', ...(ua !== undefined ? { userAgent: ua } : {}), available: a.status === 200, answer: code, at: Date.now() })
    writeProbeAnswer(res, req.method, a)
  }
  const app = baseApp(log, answer)

  // Reached by inject() and by request targets the fast path does not match (absolute-form URLs):
  // the same answer, written on the raw response.
  const availability = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.hijack()
    answer(req.raw, reply.raw)
  }
  for (const url of AVAILABILITY_PATHS) app.route({ method: ['GET', 'HEAD', 'OPTIONS'], url, handler: availability })

  app.route({
    method: ['GET', 'HEAD'],
    url: '/livez',
    handler: async (req, reply) => {
      reply.type('application/json')
      if (req.method === 'HEAD') await reply.header('content-length', 0).send()
      else await reply.send(LIVE_BODY)
    },
  })

  app.get('/status', async (_req, reply) => {
    await reply.type('application/json').send(JSON.stringify(statusDocument(store.current, Date.now(), { ...(tracker !== undefined ? { tracker } : {}), ...(cluster !== undefined ? { cluster } : {}) }), null, 2) + '\n')
  })

  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics()
    await reply.type(metrics.registry.contentType).send(text)
  })

  if (admin !== undefined) registerAdmin(app, { ...admin, store, metrics, log })
  return app
}

/** The separate admin listener (--admin-port): the admin endpoints and nothing else. */
export function buildAdminApp (o: AdminOptions): FastifyInstance {
  const app = baseApp(o.log)
  registerAdmin(app, o)
  return app
}

/** Settings and handlers both listeners share. */
const TIMEOUTS: ServerTimeouts = { keepAliveTimeout: 5000, requestTimeout: 10_000, connectionTimeout: 10_000 }

/** `probe`: answer availability probes before fastify's routing (fast-path.ts); the admin listener has none. */
function baseApp (log: Logger, probe?: (req: IncomingMessage, res: ServerResponse) => void): FastifyInstance {
  const app = Fastify({
    loggerInstance: log.child({ component: 'http' }) as FastifyBaseLogger,
    // one probe per second per checker: per-request log lines would drown everything else
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    return503OnClosing: false,
    ...TIMEOUTS,
    ...(probe !== undefined ? { serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => createProbeServer(handler, probe, TIMEOUTS) } : {}),
  })
  // Every answer is uncachable: a cached 200 from a proxy in between would hide a drain.
  app.addHook('onSend', async (_req, reply) => { reply.header('cache-control', 'no-store') })
  app.setNotFoundHandler(async (req, reply) => {
    await reply.code(404).type('application/json').send(JSON.stringify({ error: 'not_found', path: req.url.split('?')[0] }))
  })
  app.setErrorHandler(async (err: { statusCode?: number, code?: string }, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    await reply.code(status).type('application/json').send(JSON.stringify({ error: err.code ?? 'error' }))
  })
  return app
}
