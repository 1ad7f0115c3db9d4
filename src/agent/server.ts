import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { once } from 'node:events'
import type { CheckerKind } from '../checkers/protocols.js'
import type { CheckerTracker } from '../checkers/tracker.js'
import type { AgentDrainWord } from '../config/serve-types.js'
import type { Store } from '../state/store.js'
import { agentReply } from './words.js'

export interface AgentServerOptions {
  readonly store: Store
  /** --agent-drain-word: `maint` or `drain` for a node that takes no new clients */
  readonly drainWord: AgentDrainWord
  /** counts each answer (the metrics registry fits; the listener does not import it) */
  readonly metrics: { readonly probe: (protocol: CheckerKind, answer: string) => void }
  /** records each agent checker, so the drain acknowledgement covers HAProxy's agent too */
  readonly tracker?: CheckerTracker
  /** a connection that neither reads its answer nor hangs up is dropped after this long */
  readonly idleTimeoutMs?: number
  /** connections open at once; more are closed at once and reported to onDrop */
  readonly maxConnections?: number
  readonly onDrop?: () => void
  /** listen() backlog (node's default 511 when absent) */
  readonly backlog?: number
  /** --agent-ramp: an available node's weight rises from 10% to 100% over this long after it turned up (words.ts); 0 = off */
  readonly rampMs?: number
}

export interface AgentServer {
  readonly port: number
  /** connections not yet closed (for tests and shutdown) */
  readonly openConnections: number
  close: () => Promise<void>
}

/**
 * The HAProxy agent-check listener: every connection gets one line (the words for the current
 * snapshot) and a FIN. Thin around the pure agentReply().
 * Anything the client sends (HAProxy's `agent-send`) is read and discarded: closing a socket with
 * unread input makes the kernel send RST, which can destroy our answer before the peer reads it.
 */
export async function startAgentServer (host: string, port: number, o: AgentServerOptions): Promise<AgentServer> {
  const sockets = new Set<Socket>()
  const idle = o.idleTimeoutMs ?? 5000
  const rampMs = o.rampMs ?? 0
  const server: Server = createServer({ allowHalfOpen: false }, (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    // a client that resets or hangs up early is not our problem, and must not crash the process
    socket.on('error', () => { socket.destroy() })
    socket.setTimeout(idle, () => socket.destroy())
    socket.resume()
    const reply = agentReply(o.store.current, o.drainWord, Date.now(), rampMs)
    o.metrics.probe('agent', reply.word)
    o.tracker?.observe({
      source: socket.remoteAddress ?? 'unknown',
      kind: 'agent',
      available: reply.word === 'ready',
      answer: reply.word,
      at: Date.now(),
    })
    socket.end(`${reply.line}\n`)
  })
  if (o.maxConnections !== undefined) server.maxConnections = o.maxConnections
  server.on('drop', () => o.onDrop?.())
  server.listen({ host, port, ...(o.backlog !== undefined ? { backlog: o.backlog } : {}) })
  // once() rejects on 'error' (EADDRINUSE, EACCES), so a bad port fails start-up with the OS's reason
  await once(server, 'listening')
  return {
    port: (server.address() as AddressInfo).port,
    get openConnections () { return sockets.size },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const s of sockets) s.destroy()
      await closed
    },
  }
}
