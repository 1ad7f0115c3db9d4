/**
 * Most requests one EMQX check can make: API detection tries v5, v4 on the same URL and v4 on port 8081,
 * then the node status endpoint (src/emqx/client.ts), each bounded by --emqx-timeout.
 */
export const MAX_REQUESTS_PER_CHECK = 4

/**
 * How long the poll loop may go without starting an EMQX check before the process counts as stalled:
 * one interval, the longest a check can take when EMQX hangs (every request timing out), and a grace of
 * one more interval (at least 1 s) for a busy event loop. A hanging or down EMQX therefore never fails
 * liveness; only a loop that stopped starting checks does.
 */
export function livenessBoundMs (pollIntervalMs: number, emqxTimeoutMs: number): number {
  return pollIntervalMs + MAX_REQUESTS_PER_CHECK * emqxTimeoutMs + Math.max(1000, pollIntervalMs)
}

/**
 * The poll loop's heartbeat (Patroni's /liveness idea): the monitor beats when a check starts, /livez and
 * the lag metric read it. Monotonic clock, so a wall-clock step cannot fail liveness.
 */
export class Heartbeat {
  readonly intervalMs: number
  readonly boundMs: number
  readonly #clock: () => number
  #last: number
  #resting = false

  constructor (o: { intervalMs: number, boundMs: number, clock?: () => number }) {
    this.intervalMs = o.intervalMs
    this.boundMs = o.boundMs
    this.#clock = o.clock ?? (() => performance.now())
    // counted from creation: a loop that never starts is a stall too
    this.#last = this.#clock()
  }

  /** A check started. */
  beat (): void { this.#last = this.#clock(); this.#resting = false }

  /** The loop was stopped on purpose (shutdown): no longer a stall. */
  rest (): void { this.#resting = true }

  /** Milliseconds since the last check started. */
  sinceLastMs (): number { return this.#clock() - this.#last }

  /** How late the next check is: time since the last one started beyond the interval (0 on schedule). */
  lagMs (): number { return this.#resting ? 0 : Math.max(0, this.sinceLastMs() - this.intervalMs) }

  alive (): boolean { return this.#resting || this.sinceLastMs() <= this.boundMs }
}
