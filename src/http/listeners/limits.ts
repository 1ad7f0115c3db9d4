import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from 'pino'
import type { HttpLimits } from '../../config/serve-types.js'
import type { LogCode } from '../../errors.js'

/** node http.Server options for the limits (passed to fastify's `http`). */
export function serverOptions (limits: HttpLimits): { maxHeaderSize: number, headersTimeout: number, connectionsCheckingInterval: number } {
  return {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeoutMs,
    // node checks the headers and request timeouts only this often (default 30 s): a slowloris client
    // would otherwise hold its socket far longer than the configured timeout
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2))),
  }
}

/**
 * Limits node cannot be given as options. `onDrop` runs for each connection refused at the limit.
 *
 * A connection that never sends a byte is not covered by node's own timeouts once headersTimeout and a
 * short connectionsCheckingInterval are set (measured on node 20: such sockets stay open indefinitely,
 * socket timeouts included), so each connection must deliver its first complete request head within
 * the headers timeout or is closed here.
 */
export function applyServerLimits (server: Server, limits: HttpLimits, onDrop: () => void): void {
  server.maxConnections = limits.maxConnections
  server.on('drop', onDrop)
  markServedSockets(server)
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => { if ((socket as MarkedSocket)[SERVED] !== true) socket.destroy() }, limits.headersTimeoutMs)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  })
}

const SERVED = Symbol('emqx-lb-sidecar.served')
type MarkedSocket = Socket & { [SERVED]?: true }
type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

/**
 * Marks each socket that delivered a request, inside the server's one `request` listener: a second
 * listener would make every request's emit copy the listener array (bench/README.md, probe path).
 */
function markServedSockets (server: Server): void {
  const handlers = server.listeners('request') as RequestListener[]
  server.removeAllListeners('request')
  const [only] = handlers
  server.on('request', handlers.length === 1 && only !== undefined
    ? (req: IncomingMessage, res: ServerResponse) => { (req.socket as MarkedSocket)[SERVED] = true; only(req, res) }
    : (req: IncomingMessage, res: ServerResponse) => { (req.socket as MarkedSocket)[SERVED] = true; for (const h of handlers) h(req, res) })
}

/**
 * The warning for a listener's connection limit, logged the first time only (the counter
 * emqx_lb_sidecar_connections_dropped_total says how often since): call it for each connection dropped.
 */
export function warnOnceAtLimit (log: Logger, code: LogCode, listener: string, maxConnections: number): () => void {
  let logged = false
  return () => {
    if (logged) return
    logged = true
    log.warn({ code, maxConnections }, `${listener} connection limit (${maxConnections}) reached: ` +
      'new connections are closed at once (counted in emqx_lb_sidecar_connections_dropped_total)')
  }
}
