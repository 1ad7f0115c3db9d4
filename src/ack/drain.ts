import type { CheckerTracker } from '../checkers/tracker.js'
import type { NodeState } from '../state/model.js'
import type { Store } from '../state/store.js'
import { countAck, type AckCount } from '../checkers/rule.js'

/** A drain, for acknowledgement purposes: the node stopped being offered to load balancers on purpose or because it failed while up. */
export function drainBegins (prev: NodeState, next: NodeState): boolean {
  if (next === 'up' || prev === next) return false
  if (next === 'draining' || next === 'stopping') return prev !== 'draining' && prev !== 'stopping'
  return prev === 'up'
}

/** The current drain as the checkers have taken it (src/checkers/rule.ts); `since` undefined when not draining. */
export interface DrainProgress {
  readonly since: number | undefined
  /** acknowledged (src/checkers/rule.ts) at some moment of this drain */
  readonly acknowledged: boolean
  /** from the start of the drain until the last expected checker was told */
  readonly acknowledgedAfterMs: number | undefined
  /** expected checkers told, and expected checkers, now */
  readonly told: number
  readonly active: number
}

export interface DrainAckOptions {
  readonly store: Store
  readonly tracker: CheckerTracker
  /** --expect-checkers */
  readonly expect: number
  readonly onAcknowledged?: (ack: DrainProgress) => void
}

/**
 * Follows the store's drains: tells the tracker when one starts and ends (so it counts drain answers),
 * and records the moment the drain is acknowledged by the rule, for /status, the metrics and the
 * `drain_acknowledged` log line. The acknowledged evacuation applies the same rule (./decide.ts).
 */
export class DrainAcknowledgement {
  readonly #o: DrainAckOptions
  #since: number | undefined
  #ackAt: number | undefined

  constructor (o: DrainAckOptions) {
    this.#o = o
    o.store.on('update', (next, prev) => {
      if (next.state === prev.state) return
      if (next.state === 'up') {
        this.#since = undefined
        this.#ackAt = undefined
        o.tracker.drainEnded()
      } else if (drainBegins(prev.state, next.state)) {
        this.#since = next.since
        this.#ackAt = undefined
        o.tracker.drainStarted(next.since)
      }
    })
  }

  /**
   * A checker was told (the tracker's onTold): the drain may be acknowledged now. Also looked at on every
   * read of the progress, since a drain is acknowledged, too, when the last untold checker stops being
   * expected (a one-off request, a checker gone silent), which no probe announces.
   */
  checkerTold (now: number): void {
    this.#look(countAck(this.#o.tracker.checkers(now), this.#o.expect, now), now)
  }

  #look (count: AckCount, now: number): void {
    if (this.#since === undefined || this.#ackAt !== undefined || !count.acknowledged) return
    this.#ackAt = count.lastToldAt ?? now
    this.#o.onAcknowledged?.(this.#progress(count))
  }

  progress (now: number): DrainProgress {
    const count = countAck(this.#o.tracker.checkers(now), this.#o.expect, now)
    this.#look(count, now)
    return this.#progress(count)
  }

  #progress (count: AckCount): DrainProgress {
    const since = this.#since
    return {
      since,
      acknowledged: this.#ackAt !== undefined,
      acknowledgedAfterMs: this.#ackAt !== undefined && since !== undefined ? this.#ackAt - since : undefined,
      told: count.told,
      active: count.expected,
    }
  }
}
