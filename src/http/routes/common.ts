import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'

const LIVE_BODY = '{"status":"alive"}'

/** What /livez asks: is the process doing its job? Absent: the process answering is enough. */
export interface Liveness {
  alive: () => boolean
  /** JSON details for a failing answer */
  explain: () => Record<string, unknown>
}

/**
 * What every HTTP listener of this package does (the sidecar's, its admin listener and nginx-sync's):
 * `Cache-Control: no-store` on every answer (a cached answer from a proxy in between would hide a
 * drain) and a JSON 404.
 */
export function addCommonHandlers (app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply) => { reply.header('cache-control', 'no-store') })
  app.setNotFoundHandler(async (req, reply) => {
    await reply.code(404).type('application/json').send(JSON.stringify({ error: 'not_found', path: req.url.split('?')[0] }))
  })
}

/**
 * `/livez` (the process works; never tied to EMQX: see Liveness) and `/metrics`, for the sidecar and
 * nginx-sync. A failing liveness answers 503, which is what a Kubernetes livenessProbe restarts on.
 */
export function addLivezAndMetrics (app: FastifyInstance, registry: Registry, liveness?: Liveness): void {
  app.route({
    method: ['GET', 'HEAD'],
    url: '/livez',
    handler: async (req, reply) => {
      reply.type('application/json')
      const alive = liveness?.alive() ?? true
      if (!alive) reply.code(503)
      if (req.method === 'HEAD') await reply.header('content-length', 0).send()
      else await reply.send(alive ? LIVE_BODY : JSON.stringify({ status: 'stalled', ...liveness?.explain() }))
    },
  })
  app.get('/metrics', async (_req, reply) => {
    const text = await registry.metrics()
    await reply.type(registry.contentType).send(text)
  })
}

/**
 * The logger fastify gets: the `http` component, without fastify's own info lines at level info ("Server
 * listening at", once per address of a 0.0.0.0 listener), which repeat the sidecar's one line per listener;
 * they come back with --log-level debug. fastify's warnings and errors pass.
 */
export function fastifyLogger (log: Logger): FastifyBaseLogger {
  const http = log.child({ component: 'http' })
  if (log.isLevelEnabled('debug') || !log.isLevelEnabled('info')) return http as FastifyBaseLogger
  return log.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger
}
