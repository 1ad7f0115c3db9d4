import { type Registry } from 'prom-client'
import { counter, histogram } from './make.js'
import { ACK_ENDS } from '../state/evacuation-types.js'
import type { Store } from '../state/store.js'
import { PREFIX } from './names.js'

/**
 * Metrics of the acknowledged evacuation (--evacuation-ack) and of rebalances that evicted before the
 * drain was acknowledged. Both are recorded once per evacuation, when they happen (store events).
 */
export function registerEvacuationAckMetrics (
  registry: Registry, store: Store, rebalance?: { readonly unacknowledged: number }
): void {
  const toEviction = histogram(registry, {
    name: `${PREFIX}evacuation_eviction_start_seconds`,
    help: 'Time from an evacuation request to the moment EMQX begins evicting ' +
      '(when it was asked plus the wait_health_check sent), one observation per evacuation.',
    buckets: [1, 2, 3, 5, 10, 20, 30, 60, 120, 300],
  })
  const ends = counter(registry, {
    name: `${PREFIX}evacuation_ack_waits_total`,
    help: 'Evacuation waits for the load balancers\' acknowledgement, by how they ended: all_told (early), ' +
      'max_reached (--wait-health-check passed first), no_checkers (none known: EMQX waited blind).',
    labelNames: ['ended_by'],
  })
  for (const e of ACK_ENDS) ends.inc({ ended_by: e }, 0)
  store.on('update', (next, prev) => {
    const e = next.overrides.evacuation
    const evictionBegan = e?.evictionStartsAt !== undefined && prev.overrides.evacuation?.evictionStartsAt === undefined
    if (evictionBegan) toEviction.observe((e.evictionStartsAt - e.startedAt) / 1000)
    const end = next.overrides.evacuation?.ack?.endedBy
    if (end !== undefined && prev.overrides.evacuation?.ack?.endedBy === undefined) ends.inc({ ended_by: end })
  })
  if (rebalance !== undefined) {
    counter(registry, {
      name: `${PREFIX}rebalance_unacknowledged_evictions_total`,
      help: 'Rebalances in which EMQX began evicting this donor before every load-balancer checker had been told: ' +
        'wait_health_check too short for them.',
      collect () { this.reset(); this.inc(rebalance.unacknowledged) },
    })
  }
}
