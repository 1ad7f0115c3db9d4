import { EventEmitter } from 'node:events'
import type { Snapshot } from './model.js'
import type { CheckEvent } from './transition.js'

export interface StoreEvents {
  /** every snapshot replacement (state, reason or details changed) */
  update: [next: Snapshot, prev: Snapshot]
  /** every completed check, for metrics */
  check: [event: CheckEvent, snapshot: Snapshot]
}

/**
 * The single place the node's current snapshot lives. The monitor writes; servers and metrics read
 * `current` (a plain property read, so a probe never waits on anything) or listen for events.
 */
export class Store extends EventEmitter<StoreEvents> {
  #current: Snapshot

  constructor (initial: Snapshot) {
    super()
    this.#current = initial
  }

  get current (): Snapshot { return this.#current }

  /** Replaces the snapshot with fn(current); emits `update` only when something changed. */
  update (fn: (s: Snapshot) => Snapshot): Snapshot {
    const prev = this.#current
    const next = fn(prev)
    if (next !== prev) {
      this.#current = next
      this.emit('update', next, prev)
    }
    return next
  }
}
