import { Agent } from 'undici'
import type { FailureReason } from '../errors.js'
import { classifyTransportError, requestDeadline } from '../transport-error.js'
import { availabilityUrl, type SyncNode } from './nodes.js'
import { NGINX_SYNC_USER_AGENT } from '../checkers/rule.js'

/** What one node's sidecar said: 200 keeps the node in; any other status, or no answer, takes it out. */
export type ProbeResult =
  | { readonly kind: 'available' }
  | { readonly kind: 'unavailable', readonly status: number }
  | { readonly kind: 'error', readonly reason: FailureReason }

export const PROBE_KINDS = ['available', 'unavailable', 'error'] as const

/**
 * Asks every node's sidecar at once, each with a hard deadline (connect + headers + body), over one
 * keep-alive agent. Never throws. The body is read and discarded: only the status matters, exactly
 * as for a load balancer's own health check.
 */
export class SidecarProber {
  readonly #agent: Agent
  readonly #timeoutMs: number
  readonly #path: string

  constructor (timeoutMs: number, path: string) {
    this.#timeoutMs = timeoutMs
    this.#path = path
    this.#agent = new Agent({
      connections: 2,
      keepAliveTimeout: 10_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: timeoutMs },
    })
  }

  async probe (node: SyncNode): Promise<ProbeResult> {
    const deadline = requestDeadline(this.#timeoutMs)
    try {
      const res = await this.#agent.request({
        origin: node.sidecarUrl.origin,
        path: new URL(availabilityUrl(node, this.#path)).pathname,
        method: 'GET',
        headers: { 'user-agent': NGINX_SYNC_USER_AGENT },
        signal: deadline.signal,
      })
      await res.body.dump({ limit: 64 * 1024 })
      return res.statusCode === 200 ? { kind: 'available' } : { kind: 'unavailable', status: res.statusCode }
    } catch (err) {
      return { kind: 'error', reason: classifyTransportError(err).reason }
    } finally {
      deadline.clear()
    }
  }

  async probeAll (nodes: readonly SyncNode[]): Promise<Map<string, ProbeResult>> {
    const results = await Promise.all(nodes.map(async (n) => [n.address, await this.probe(n)] as const))
    return new Map(results)
  }

  async close (): Promise<void> { await this.#agent.destroy().catch(() => undefined) }
}
