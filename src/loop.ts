/**
 * The fixed-rate loop every poller uses (EMQX check, cluster view, drain file, nginx-sync): a step
 * starts every `intervalMs`, measured from the previous step's start, so a flip is seen within one
 * interval plus one step; a step slower than the interval delays the next one instead of overlapping it.
 */
export interface LoopOptions {
  readonly intervalMs: number
  /** one round; expected failures are the step's business */
  readonly step: () => Promise<void>
  /** a step that throws is a bug (a throwing listener): reported here, and the loop goes on */
  readonly onError: (err: unknown) => void
  /** called as each step starts (the liveness heartbeat) */
  readonly onStep?: () => void
  /** a wake-up sooner than the next interval, asked after each step (nginx-sync's settle deadline) */
  readonly wakeInMs?: () => number
}

export class Loop {
  readonly #o: LoopOptions
  #timer: NodeJS.Timeout | undefined
  #inFlight: Promise<void> | undefined
  #stopped = true

  constructor (options: LoopOptions) { this.#o = options }

  /** Starts the loop (a no-op when it runs); the first step after `firstDelayMs`. */
  start (firstDelayMs = 0): void {
    if (!this.#stopped) return
    this.#stopped = false
    if (firstDelayMs === 0) this.#run(performance.now())
    else this.#timer = setTimeout(() => { this.#run(performance.now()) }, firstDelayMs)
  }

  #run (startedAt: number): void {
    if (this.#stopped) return
    this.#o.onStep?.()
    this.#inFlight = this.#o.step().catch(this.#o.onError).finally(() => {
      this.#inFlight = undefined
      if (this.#stopped) return
      const delay = Math.max(0, Math.min(startedAt + this.#o.intervalMs - performance.now(), this.#o.wakeInMs?.() ?? Infinity))
      this.#timer = setTimeout(() => { this.#run(performance.now()) }, delay)
    })
  }

  /** Stops scheduling and waits for a step in flight. */
  async stop (): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#inFlight
  }
}
