import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { NginxSync } from './sync.js'

/** nginx-sync's HTTP app (no listen): /livez, /status (what nginx runs with and why), /metrics. */
export function buildSyncApp (sync: NginxSync, registry: Registry, log: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: log.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    return503OnClosing: false,
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
  })
  app.addHook('onSend', async (_req, reply) => { reply.header('cache-control', 'no-store') })
  app.route({
    method: ['GET', 'HEAD'],
    url: '/livez',
    handler: async (req, reply) => {
      reply.type('application/json')
      if (req.method === 'HEAD') await reply.header('content-length', 0).send()
      else await reply.send('{"status":"alive"}')
    },
  })
  app.get('/status', async (_req, reply) => {
    await reply.type('application/json').send(JSON.stringify(sync.status(), null, 2) + '\n')
  })
  app.get('/metrics', async (_req, reply) => {
    await reply.type(registry.contentType).send(await registry.metrics())
  })
  app.setNotFoundHandler(async (req, reply) => {
    await reply.code(404).type('application/json').send(JSON.stringify({ error: 'not_found', path: req.url.split('?')[0] }))
  })
  return app
}
