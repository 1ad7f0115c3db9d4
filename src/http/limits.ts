import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import type { HttpLimits } from '../config/serve-config.js'

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
  const served = new WeakSet<Socket>()
  server.on('request', (req: { socket: Socket }) => { served.add(req.socket) })
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => { if (!served.has(socket)) socket.destroy() }, limits.headersTimeoutMs)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  })
}
