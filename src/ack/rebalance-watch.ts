import type { Logger } from 'pino'
import { LogCodes, LogEvents } from '../errors.js'
import { isEvictingState, type LocalRebalance } from '../emqx/rebalance.js'
import { notAcknowledged } from './decide.js'
import type { CheckerSource } from './wait.js'
import type { Store } from '../state/store.js'

/**
 * A rebalance is EMQX's to coordinate: its wait_health_check is the coordinator's timer, which the sidecar
 * cannot shorten or extend. This node is a donor once its local status says process `rebalance`; when
 * it leaves `wait_health_check` for an eviction state (`isEvictingState`, the set the arrival evidence reads too;
 * read once per poll, so a skipped state counts too).
 * Pure.
 */
export function donorEvictionBegan (prev: LocalRebalance | undefined, next: LocalRebalance | undefined): boolean {
  return prev?.process === 'rebalance' && prev.state === 'wait_health_check' &&
    next?.status === 'enabled' && next.process === 'rebalance' && isEvictingState(next.state)
}

export interface RebalanceAckWatchOptions {
  readonly store: Store
  readonly checkers: CheckerSource
  readonly expectCheckers: number
  readonly log: Logger
  readonly now?: () => number
}

/**
 * Counts the rebalances whose eviction began here before every load balancer had been told (the drain was
 * not acknowledged in time: wait_health_check is too short for them) and warns once per rebalance, naming
 * the checkers still awaited, so users can size the rebalance's wait_health_check.
 */
export class RebalanceAckWatch {
  unacknowledged = 0
  #warned = false

  constructor (o: RebalanceAckWatchOptions) {
    const now = o.now ?? Date.now
    o.store.on('update', (next, prev) => {
      if (next.rebalance?.status !== 'enabled') { this.#warned = false; return }
      if (!donorEvictionBegan(prev.rebalance, next.rebalance)) return
      const at = now()
      const missing = notAcknowledged(o.checkers.checkers(at), o.expectCheckers, at)
      if (missing === undefined) return
      this.unacknowledged++
      if (this.#warned) return
      this.#warned = true
      const why = missing.fewer
        ? `fewer checkers than --expect-checkers ${o.expectCheckers}`
        : `not told: ${missing.awaited.join(', ')}`
      o.log.warn({
        event: LogEvents.REBALANCE_UNACKNOWLEDGED_EVICTION,
        code: LogCodes.DRAIN_NOT_ACKNOWLEDGED,
        awaited: missing.awaited,
        fewerThanExpected: missing.fewer,
        emqxState: next.rebalance.state,
        coordinator: next.rebalance.coordinator_node,
      }, `EMQX began evicting this rebalance donor before every load balancer had been told (${why}): ` +
        "new clients may still arrive; raise the rebalance's wait_health_check")
    })
  }
}
