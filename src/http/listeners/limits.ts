import type { Server } from 'node:http'
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
 * node's headers timeout starts with a request's first byte, so a connection that never sends one is
 * not covered by it (measured on node 20: such sockets stay open indefinitely): a connection that has
 * sent nothing within the headers timeout is closed here. One that has sent part of a head is node's
 * to time out; one that has been served is the keep-alive timeout's.
 */
export function applyServerLimits (server: Server, limits: HttpLimits, onDrop: () => void): void {
  server.maxConnections = limits.maxConnections
  server.on('drop', onDrop)
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => { if (socket.bytesRead === 0) socket.destroy() }, limits.headersTimeoutMs)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  })
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
