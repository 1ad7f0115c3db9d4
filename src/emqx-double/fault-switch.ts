import { faultHits, type FaultScope, type SimFault } from './faults.js'

/** The fault injected right now: which one, on which paths, for how many more requests, and how slow `slow` is. */
export class FaultSwitch {
  #fault: SimFault = 'none'
  #scope: FaultScope = 'all'
  #slowMs = 2000
  /** requests the current fault still hits; undefined: every one */
  #left: number | undefined

  get fault (): SimFault { return this.#fault }
  get scope (): FaultScope { return this.#scope }
  get slowMs (): number { return this.#slowMs }

  /** Switches to `fault` (on every path, or only `path`); returns the fault it replaces. */
  set (fault: SimFault, opts: { slowMs?: number, path?: FaultScope, times?: number } = {}): SimFault {
    if (opts.slowMs !== undefined) this.#slowMs = opts.slowMs
    // `times`: only the next N requests it applies to (a one-off reset, like EMQX closing a kept-alive connection)
    this.#left = fault === 'refuse' ? undefined : opts.times
    const was = this.#fault
    this.#fault = fault
    this.#scope = fault === 'refuse' || fault === 'none' ? 'all' : opts.path ?? 'all'
    return was
  }

  /** Whether the fault applies to a request for `path` (counting down a `times` fault). */
  hits (path: string): boolean {
    if (!faultHits(this.#scope, path)) return false
    if (this.#left === undefined) return true
    if (this.#left <= 0) return false
    this.#left--
    return true
  }
}
