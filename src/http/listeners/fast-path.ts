import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { isProbe, type HttpProbes } from './probe.js'

/**
 * Requests one connection may have in fastify at once. node dispatches every request of a pipelined read
 * before any answer is written, and a socket's idle timer is refreshed by each answer it buffers: a client
 * that pipelines thousands of `GET /metrics` and reads nothing would have them all rendered and held in
 * memory. No checker, scraper or browser pipelines this deep; over it the connection is closed.
 * Probes are not counted: their answer is written at once, and node stops reading a socket whose
 * answers are not being read.
 */
export const MAX_PIPELINED = 16

const pending = new WeakMap<Socket, number>()

function release (this: ServerResponse): void {
  const socket = this.req.socket
  pending.set(socket, (pending.get(socket) ?? 1) - 1)
}

export interface ServerTimeouts {
  readonly keepAliveTimeout: number
  readonly requestTimeout: number
  readonly connectionTimeout: number
}

/**
 * The HTTP server behind fastify (its `serverFactory`), answering availability probes itself before
 * fastify's routing: probes are nearly all the traffic (many checkers, each every second or faster)
 * and fastify's per-request work (a child logger, hooks, a reply object) would cost more than the
 * answer itself (bench/README.md). Everything else goes to fastify, whose routes answer probes with the
 * same `probes.serve()` for inject() and for request targets this matcher leaves alone (absolute-form URLs).
 */
export function createProbeServer (
  fastifyHandler: (req: IncomingMessage, res: ServerResponse) => void,
  probes: Pick<HttpProbes, 'serve'>,
  t: ServerTimeouts,
  options: ServerOptions
): Server {
  const server = createServer(options, (req, res) => {
    if (isProbe(req.method, req.url)) {
      probes.serve(req, res)
      // in the kernel already unless the client reads nothing (or pipelines)
      if (res.writableLength > 0) awaitDelivery(req.socket, t.connectionTimeout)
      return
    }
    const n = (pending.get(req.socket) ?? 0) + 1
    if (n > MAX_PIPELINED) {
      req.socket.destroy()
      return
    }
    pending.set(req.socket, n)
    res.once('close', release)
    // fastify's answers may be large or slow to leave
    awaitDelivery(req.socket, t.connectionTimeout)
    fastifyHandler(req, res)
  })
  // node pauses a connection whose answers back up, including those it writes itself (417, 400)
  server.on('connection', (socket: Socket) => { socket.on('pause', () => { awaitDelivery(socket, t.connectionTimeout) }) })
  // fastify sets these itself only on servers it creates
  server.keepAliveTimeout = t.keepAliveTimeout
  server.requestTimeout = t.requestTimeout
  return server
}

/**
 * An answer may wait on this connection for a client that reads nothing: close it after `ms` without a read
 * or a write, unless a timer is set already (this one, or a route's own, as /prestop's). node's keep-alive
 * timer replaces it once the answers are delivered, and the next request clears that. Not one timer on every
 * socket (`server.setTimeout`): node refreshes that one on each read and write of every probe (bench/README.md).
 * keepAliveTimeout only runs between requests and the headers and request timeouts only while a request
 * arrives, so without this a client that stops reading holds its connection for ever.
 */
function awaitDelivery (socket: Socket, ms: number): void {
  if (socket.timeout === undefined || socket.timeout === 0) socket.setTimeout(ms)
}
