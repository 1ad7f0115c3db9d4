import type { Logger } from 'pino'
import type { EmqxClient } from '../emqx/client.js'
import type { Store } from './store.js'
import { LogCodes, LogEvents } from '../errors.js'
import { Loop } from '../loop.js'
import { nextMembership, type MembershipSettings, type MembershipState } from './membership.js'

/**
 * Reads the cluster views every `intervalMs` when credentials allow, on its own timer so a slow answer never
 * delays the availability poll: `load_rebalance/global_status` (rebalance mode), and with `membership`
 * (--expect-cluster-size) this node's own view of its cluster (./membership.ts), both at once. Without
 * credentials it records why global_status is missing and does not ask (the config refuses membership without them).
 */
export class ClusterWatcher {
  readonly #client: EmqxClient
  readonly #store: Store
  readonly #intervalMs: number
  readonly #log: Logger
  readonly #loop: Loop
  readonly #membership: MembershipSettings | undefined
  #lastError: string | undefined

  constructor (o: { client: EmqxClient, store: Store, intervalMs: number, log: Logger, membership?: MembershipSettings }) {
    this.#client = o.client
    this.#store = o.store
    this.#intervalMs = o.intervalMs
    this.#log = o.log
    this.#membership = o.membership !== undefined && o.membership.expect > 0 ? o.membership : undefined
    this.#loop = new Loop({
      intervalMs: o.intervalMs,
      step: async () => { await this.tick() },
      // tick() handles EMQX's failures itself; this is for bugs (a throwing store listener), which must not stop the loop
      onError: (err) => { this.#log.error({ err, code: LogCodes.INTERNAL_ERROR }, 'cluster view update failed unexpectedly') },
    })
  }

  start (): void {
    if (this.#intervalMs === 0) return
    if (!this.#client.hasCredentials) {
      this.#store.setDetails({ clusterError: 'no EMQX credentials configured: cluster view not readable' })
      return
    }
    this.#loop.start()
  }

  async tick (): Promise<void> {
    await Promise.all([this.#globalStatus(), this.#readMembership()])
  }

  async #globalStatus (): Promise<void> {
    if (this.#client.target?.mode !== 'rebalance') return
    const r = await this.#client.globalStatus()
    const at = Date.now()
    if ('value' in r) {
      this.#lastError = undefined
      this.#store.setDetails({ cluster: r.value, clusterAt: at, clusterError: undefined })
    } else {
      if (r.error !== this.#lastError) this.#log.warn({ error: r.error }, 'cluster view (global_status) not readable')
      this.#lastError = r.error
      this.#store.setDetails({ clusterError: r.error })
    }
  }

  /** One membership read; nothing before the API is detected (the first check has not answered yet). */
  async #readMembership (): Promise<void> {
    const settings = this.#membership
    if (settings === undefined || this.#client.target === undefined) return
    const read = await this.#client.membership(this.#store.current.nodeName)
    const prev = this.#store.current.membership
    const next = nextMembership(prev, read, Date.now(), settings)
    this.#store.setMembership(next, Date.now())
    if (prev?.verdict !== next.verdict || prev.drains !== next.drains) this.#logChange(next)
  }

  #logChange (m: MembershipState): void {
    const fields = { running: m.view?.running, expect: m.expect, role: m.view?.role, error: m.error }
    if (m.drains) this.#log.warn({ event: LogEvents.NOT_IN_CLUSTER, verdict: m.verdict, ...fields }, m.message)
    else if (m.verdict === 'unknown') this.#log.warn({ event: LogEvents.CLUSTER_MEMBERSHIP_UNKNOWN, ...fields }, m.message)
    else this.#log.info({ event: LogEvents.IN_CLUSTER, ...fields }, m.message)
  }

  async stop (): Promise<void> { await this.#loop.stop() }
}
