import { EventEmitter } from 'node:events'
import type { Overrides, Snapshot } from './model.js'
import { moveTo } from './move.js'
import { setOverride } from './overrides.js'
import type { MembershipState } from './membership.js'
import { applyCheck, type CheckEvent } from './transition.js'

export type ListenerErrorHandler = (err: unknown, event: keyof StoreEvents) => void

const warn: ListenerErrorHandler = (err, event) => { process.emitWarning(`a store '${event}' listener threw: ${String(err)}`) }

export interface StoreEvents {
  /** every snapshot replacement (state, reason or details changed) */
  update: [next: Snapshot, prev: Snapshot]
  /** every completed check (metrics; the arrival watch's pace) */
  check: [event: CheckEvent, snapshot: Snapshot]
}

/** What the pollers learn beside the verdict; none of it moves the served state. */
type DetailKey = 'api' | 'nodeName' | 'rebalance' | 'rebalanceError' | 'cluster' | 'clusterAt' | 'clusterError' | 'keyRefusals'
export type SnapshotDetails = {
  readonly [K in DetailKey]?: Snapshot[K] | undefined
}

/**
 * The single place the node's current snapshot lives, written only through named transitions, so
 * `state = effectiveVerdict(observed, overrides)` holds by construction (transition.ts and overrides.ts
 * are the pure functions behind them). Writers: the monitor (applyCheck, details), the cluster watcher
 * and the evacuator (details), the drain file, the admin endpoints and the evacuator (setOverride),
 * shutdown (stop). Servers and metrics read `current` (a plain property read, so a probe never waits
 * on anything) or listen for events.
 */
export class Store extends EventEmitter<StoreEvents> {
  #current: Snapshot
  readonly #onListenerError: ListenerErrorHandler

  /** `onListenerError` hears of a listener that threw (main.ts logs it); by default a process warning. */
  constructor (initial: Snapshot, onListenerError: ListenerErrorHandler = warn) {
    super()
    this.#current = initial
    this.#onListenerError = onListenerError
  }

  /**
   * Calls every listener, each isolated: Node's EventEmitter stops at the first listener that throws,
   * so one faulty reader (metrics, the checker tracker, a log line) would leave the others, and the
   * caller's transition, half done. The snapshot is already replaced when listeners run, so probes,
   * which read `current`, never depend on a listener.
   */
  override emit<K extends keyof StoreEvents> (event: K, ...args: StoreEvents[K]): boolean {
    const listeners = this.rawListeners(event) as Array<(...a: StoreEvents[K]) => void>
    for (const listener of listeners) {
      try {
        listener.apply(this, args)
      } catch (err) {
        this.#onListenerError(err, event)
      }
    }
    return listeners.length > 0
  }

  get current (): Snapshot { return this.#current }

  /** One check's outcome (transition.ts), then the `check` event for metrics. */
  applyCheck (event: CheckEvent, failureThreshold: number): Snapshot {
    const next = this.update((s) => applyCheck(s, event, failureThreshold))
    this.emit('check', event, next)
    return next
  }

  /** Sets (or, with undefined, clears) one override; the served state follows (overrides.ts). */
  setOverride<K extends keyof Overrides> (key: K, value: Overrides[K] | undefined, now: number): Snapshot {
    return this.update((s) => setOverride(s, key, value, now))
  }

  /**
   * One membership read (./membership.ts): its state and the drain it decides, in one update. The drain is an
   * override, so it only ever adds a 503: lifting it serves EMQX's own verdict again, never more.
   */
  setMembership (m: MembershipState, now: number): Snapshot {
    return this.update((s) => {
      const was = s.overrides.notInCluster
      const drain = m.drains ? (was?.message === m.message ? was : { since: was?.since ?? now, message: m.message }) : undefined
      return setOverride(s.membership === m ? s : { ...s, membership: m }, 'notInCluster', drain, now)
    })
  }

  /** Shutdown: `stopping` is final, whatever EMQX or an override says afterwards. */
  stop (message: string, now: number): Snapshot {
    return this.update((s) => moveTo(s, 'stopping', 'shutdown', message, now))
  }

  /** Records what a poller learned beside the verdict (API target, node name, rebalance and cluster views). */
  setDetails (details: SnapshotDetails): Snapshot {
    return this.update((s) => {
      const keys = Object.keys(details) as Array<keyof SnapshotDetails>
      return keys.every((k) => s[k] === details[k]) ? s : { ...s, ...details }
    })
  }

  /** Replaces the snapshot with fn(current); emits `update` only when something changed. Tests may widen it. */
  protected update (fn: (s: Snapshot) => Snapshot): Snapshot {
    const prev = this.#current
    const next = fn(prev)
    if (next !== prev) {
      this.#current = next
      this.emit('update', next, prev)
    }
    return next
  }
}
