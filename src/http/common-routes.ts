import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'

const LIVE_BODY = '{"status":"alive"}'

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

/** `/livez` (the process answers; never tied to EMQX) and `/metrics`, for the sidecar and nginx-sync. */
export function addLivezAndMetrics (app: FastifyInstance, registry: Registry): void {
  app.route({
    method: ['GET', 'HEAD'],
    url: '/livez',
    handler: async (req, reply) => {
      reply.type('application/json')
      if (req.method === 'HEAD') await reply.header('content-length', 0).send()
      else await reply.send(LIVE_BODY)
    },
  })
  app.get('/metrics', async (_req, reply) => {
    const text = await registry.metrics()
    await reply.type(registry.contentType).send(text)
  })
}
