import Fastify from 'fastify'
import pino from 'pino'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { Pool } from 'undici'

/**
 * The floor of the sidecar's stack: its four runtime libraries loaded and set up the way the sidecar
 * sets them up, doing nothing else. A pino logger on stdout (synchronous, as src/log.ts), a prom-client
 * registry with the default metrics (src/metrics/process.ts: 100 ms event-loop sampling), an undici Pool
 * (created, never used: it connects nowhere), and a fastify app with one route, ready and listening.
 * Run under the sidecar's node flags; its idle RSS is what any program built on these libraries pays.
 */
const log = pino({ name: 'floor' }, pino.destination({ dest: 1, sync: true }))
const registry = new Registry()
collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 })
const pool = new Pool('http://127.0.0.1:9', { connections: 4, pipelining: 1 })
const app = Fastify()
app.get('/availability', async () => ({ state: 'up' }))
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
log.info({ event: 'listening', port: typeof address === 'object' && address !== null ? address.port : 0 })
// kept for the life of the process, as the sidecar keeps its own
export const kept = { registry, pool }
