import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { EmqxClient } from '../emqx/client.js'
import type { Store } from './store.js'
import { LogEvents } from '../errors.js'

export interface LeftoverOptions {
  readonly client: EmqxClient
  readonly store: Store
  readonly log: Logger
  /** how often EMQX is looked at again while it has not answered yet */
  readonly pollIntervalMs: number
}

/**
 * --evacuation-stop-on-start: EMQX persists an evacuation and resumes it after a restart, so a pod that
 * evacuated on shutdown would come back answering 503 for good and stall a rolling restart. Once EMQX
 * answers, an evacuation of this node that nobody asked this sidecar for (no evacuation override) is
 * stopped. Ends on `signal`.
 */
export async function stopLeftoverEvacuation (o: LeftoverOptions, signal: AbortSignal): Promise<'stopped' | 'none' | 'failed'> {
  const { client, store, log } = o
  for (;;) {
    const s = store.current
    if (s.api?.mode === 'node_status') return 'none'
    if (s.api !== undefined && s.nodeName !== undefined) {
      const r = await client.localRebalance()
      if ('value' in r) {
        const askedHere = store.current.overrides.evacuation !== undefined
        if (r.value.status !== 'enabled' || r.value.process !== 'evacuation' || askedHere) return 'none'
        const stop = await client.evacuation('stop', s.nodeName)
        if (stop.ok) {
          log.warn({ event: LogEvents.EVACUATION_LEFTOVER_STOPPED, node: s.nodeName, emqxState: r.value.state },
            'EMQX resumed an evacuation of this node after a restart: stopped it (--evacuation-stop-on-start)')
        } else {
          log.error({ event: LogEvents.EVACUATION_LEFTOVER_STOP_FAILED, node: s.nodeName, code: stop.code },
            `could not stop the evacuation EMQX resumed: ${stop.message}`)
        }
        return stop.ok ? 'stopped' : 'failed'
      }
    }
    try { await sleep(o.pollIntervalMs, undefined, { signal }) } catch { return 'none' }
  }
}
