import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { addCommonHandlers, addLivezAndMetrics, fastifyLogger } from '../http/routes/common.js'
import type { NginxSync } from './sync.js'

/** nginx-sync's HTTP app (no listen): /livez, /status (what nginx runs with and why), /metrics. */
export function buildSyncApp (sync: NginxSync, registry: Registry, log: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: fastifyLogger(log),
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    return503OnClosing: false,
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
  })
  addCommonHandlers(app)
  addLivezAndMetrics(app, registry)
  app.get('/status', async (_req, reply) => {
    await reply.type('application/json').send(JSON.stringify(sync.status(), null, 2) + '\n')
  })
  return app
}
