import Fastify from 'fastify'
import pino from 'pino'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { Pool } from 'undici'

/**
 * The floor of the sidecar's stack: its four runtime libraries loaded and set up the way the sidecar
 * sets them up, doing nothing else. A pino logger on stdout (synchronous, as src/log.ts), a prom-client
 * registry with the default metrics (src/metrics/process.ts: 100 ms event-loop sampling), an undici Pool
 * (src/emqx/http.ts's options), and a fastify app with one route, ready and listening.
 * With FLOOR_EMQX_URL set, the pool makes the sidecar's idle request, GET availability_check once a second
 * (the footprint's idle RSS: undici's HTTP parser and a kept-alive connection are then in both processes);
 * without it the pool is created and never used (the probe-cost floor: no poll in its CPU).
 * Run under the sidecar's node flags; its idle RSS is what any program built on these libraries pays.
 */
const log = pino({ name: 'floor' }, pino.destination({ dest: 1, sync: true }))
const registry = new Registry()
collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 })
const emqx = process.env.FLOOR_EMQX_URL
const pool = new Pool(emqx ?? 'http://127.0.0.1:9', {
  connections: 4, pipelining: 1, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 30_000, headersTimeout: 5000, bodyTimeout: 5000,
})
if (emqx !== undefined) {
  const poll = async (): Promise<void> => {
    try {
      const res = await pool.request({ method: 'GET', path: '/api/v5/load_rebalance/availability_check' })
      await res.body.text()
    } catch (err) {
      log.warn({ event: 'floor_poll_failed', err })
    }
  }
  setInterval(() => { poll().catch(() => {}) }, 1000)
  await poll()
}
const app = Fastify()
app.get('/availability', async () => ({ state: 'up' }))
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
log.info({ event: 'listening', port: typeof address === 'object' && address !== null ? address.port : 0 })
// kept for the life of the process, as the sidecar keeps its own
export const kept = { registry, pool }
