import type { Logger } from 'pino'
import type { EmqxClient } from '../emqx/client.js'
import type { Store } from './store.js'
import { LogCodes } from '../errors.js'
import { Loop } from '../loop.js'

/**
 * Reads the cluster view (`load_rebalance/global_status`) every `intervalMs` when credentials allow,
 * on its own timer so a slow answer never delays the availability poll. Without credentials it
 * records why the view is missing and does not ask.
 */
export class ClusterWatcher {
  readonly #client: EmqxClient
  readonly #store: Store
  readonly #intervalMs: number
  readonly #log: Logger
  readonly #loop: Loop
  #lastError: string | undefined

  constructor (o: { client: EmqxClient, store: Store, intervalMs: number, log: Logger }) {
    this.#client = o.client
    this.#store = o.store
    this.#intervalMs = o.intervalMs
    this.#log = o.log
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

  async stop (): Promise<void> { await this.#loop.stop() }
}
