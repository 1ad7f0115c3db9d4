import type { Logger } from 'pino'
import type { EmqxClient } from '../emqx/client.js'
import type { Store } from './store.js'
import { LogCodes } from '../errors.js'

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
  #timer: NodeJS.Timeout | undefined
  #inFlight: Promise<void> | undefined
  #stopped = true
  #lastError: string | undefined

  constructor (o: { client: EmqxClient, store: Store, intervalMs: number, log: Logger }) {
    this.#client = o.client
    this.#store = o.store
    this.#intervalMs = o.intervalMs
    this.#log = o.log
  }

  start (): void {
    if (this.#intervalMs === 0) return
    if (!this.#client.hasCredentials) {
      this.#store.update((s) => ({ ...s, clusterError: 'no EMQX credentials configured: cluster view not readable' }))
      return
    }
    this.#stopped = false
    this.#schedule(0)
  }

  #schedule (delay: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      // tick() handles EMQX's failures itself; this catch is for bugs (a throwing store listener), which must not stop the loop
      this.#inFlight = this.tick()
        .catch((err: unknown) => { this.#log.error({ err, code: LogCodes.INTERNAL_ERROR }, 'cluster view update failed unexpectedly') })
        .finally(() => { this.#inFlight = undefined; this.#schedule(this.#intervalMs) })
    }, delay)
  }

  async tick (): Promise<void> {
    if (this.#client.target?.mode !== 'rebalance') return
    const r = await this.#client.globalStatus()
    const at = Date.now()
    if ('value' in r) {
      this.#lastError = undefined
      this.#store.update((s) => ({ ...s, cluster: r.value, clusterAt: at, clusterError: undefined }))
    } else {
      if (r.error !== this.#lastError) this.#log.warn({ error: r.error }, 'cluster view (global_status) not readable')
      this.#lastError = r.error
      this.#store.update((s) => ({ ...s, clusterError: r.error }))
    }
  }

  async stop (): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#inFlight
  }
}
