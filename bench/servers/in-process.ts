import { bareServer } from './bare-handler.js'

/**
 * Preloaded into another program's process (`node --import`): the bare handler on BARE_PORT, inside
 * that process's runtime. In a sidecar (its loaded libraries, heap, poll loop and timers, without its
 * probe path) it measures what the sidecar's process costs any handler; in the libraries' floor
 * (floor.ts) what a process built on fastify, undici, pino and prom-client costs it (bench/README.md).
 */
const server = bareServer(process.env.BARE_BODY ?? '{"state":"up"}')
server.listen(Number(process.env.BARE_PORT), '127.0.0.1')
// never keeps the process alive on its own: the host program's own shutdown ends it
server.unref()
