import type { Logger } from 'pino'
import type { ConnectRead, ConnectSource } from '../emqx/connects.js'
import type { Store } from '../state/store.js'
import { drainBegins } from './drain.js'
import { evicting, quietWindowMs, usualRate, type ArrivalEvidence, type Reading } from './evidence.js'

export interface ArrivalWatchOptions {
  /** EmqxClient.connects with the node name filled in by the caller */
  readonly read: () => Promise<ConnectRead>
  readonly store: Store
  readonly log: Logger
  /** the EMQX poll interval: a reading older than three of them is not evidence */
  readonly pollIntervalMs: number
  /** read this often otherwise, to know the node's usual rate */
  readonly baselineMs?: number
  /** --evacuation-ack-grace: the quiet window is never shorter */
  readonly graceMs: number
  readonly now?: () => number
}

export type DrainPhase = 'before_eviction' | 'evicting'

const BASELINE_MS = 15_000
/** readings kept for the usual rate: the last ten minutes at the default baseline pace */
const BASELINE_READINGS = 40
/** a usual rate needs at least this many baseline intervals of readings */
const MIN_RATE_SPAN_INTERVALS = 2

/**
 * Reads the node's CONNECT counter: after every EMQX check while a drain runs (and at once when one begins
 * or eviction begins), after the first check 15 s on from the last reading otherwise, so it knows the usual
 * rate. It keeps no timer of its own: the monitor's checks (the store's `check` event) pace it, so an EMQX slow
 * to answer checks slows the readings too (and a reading older than three poll intervals is not evidence). Extra
 * EMQX requests: one per check during a drain, one per 15 s otherwise; probes never cause a read.
 */
export class ArrivalWatch {
  readonly #o: ArrivalWatchOptions
  readonly #now: () => number
  #running = false
  #baseline: Reading[] = []
  #source: ConnectSource | undefined
  #last: Reading | undefined
  #lastReadAt: number | undefined
  #error: string | undefined
  #drain: { since: number, atStart?: number, rate: number | undefined } | undefined
  #eviction: { since: number, atStart?: number } | undefined
  #lastArrivalAt: number | undefined
  #warned = false
  /** CONNECTs that reached the node while it drained, by phase, since the sidecar started (metrics) */
  readonly whileDraining: Record<DrainPhase, number> = { before_eviction: 0, evicting: 0 }
  #reading: Promise<void> | undefined
  readonly #minSpanMs: number

  constructor (o: ArrivalWatchOptions) {
    this.#o = o
    this.#now = o.now ?? Date.now
    this.#minSpanMs = MIN_RATE_SPAN_INTERVALS * (o.baselineMs ?? BASELINE_MS)
    o.store.on('check', () => { if (this.#running && this.#due()) this.readNow().catch(this.#failed) })
    o.store.on('update', (next, prev) => {
      const now = this.#now()
      if (next.state === 'up' && prev.state !== 'up') { this.#drain = undefined; this.#eviction = undefined; this.#warned = false; return }
      if (drainBegins(prev.state, next.state)) {
        this.#drain = { since: next.since, rate: usualRate(this.#baseline, this.#minSpanMs) }
        this.#lastArrivalAt = undefined
        this.readNow().catch(this.#failed)
      }
      if (this.#drain !== undefined && this.#eviction === undefined && evicting(next, now)) {
        this.#eviction = { since: now }
        this.readNow().catch(this.#failed)
      }
    })
  }

  readonly #failed = (err: unknown): void => { this.#o.log.error({ err }, 'reading the CONNECT counter failed unexpectedly') }

  /** Reads from the next check on. */
  start (): void { this.#running = true }
  /** No reading paced by checks after this (a drain or an eviction beginning still asks for one); waits for one under way. */
  async stop (): Promise<void> { this.#running = false; await this.#reading }

  #due (): boolean {
    if (this.#drain !== undefined) return true
    return this.#lastReadAt === undefined || this.#now() - this.#lastReadAt >= (this.#o.baselineMs ?? BASELINE_MS)
  }

  /** One reading now (joins one under way). Never rejects. */
  async readNow (): Promise<void> {
    this.#reading ??= this.#read().finally(() => { this.#reading = undefined })
    await this.#reading
  }

  async #read (): Promise<void> {
    const r = await this.#o.read()
    const at = this.#now()
    this.#lastReadAt = at
    if (!r.ok) { this.#error = r.error; return }
    this.#error = undefined
    this.#source = r.source
    const prev = this.#last
    this.#last = { at, count: r.count }
    // a counter that went back (EMQX restarted) starts the baseline over; the drain's start count too
    if (prev !== undefined && r.count < prev.count) {
      this.#baseline = []
      if (this.#drain !== undefined) this.#drain.atStart = r.count
      if (this.#eviction !== undefined) this.#eviction.atStart = r.count
    }
    if (this.#drain === undefined) {
      this.#baseline.push(this.#last)
      if (this.#baseline.length > BASELINE_READINGS) this.#baseline.shift()
      return
    }
    this.#drain.atStart ??= r.count
    if (this.#eviction !== undefined) this.#eviction.atStart ??= r.count
    const arrived = prev === undefined || prev.count > r.count ? 0 : r.count - prev.count
    if (arrived === 0 || prev === undefined || prev.at < this.#drain.since) return
    this.#lastArrivalAt = at
    const phase: DrainPhase = this.#eviction !== undefined && prev.at >= this.#eviction.since ? 'evicting' : 'before_eviction'
    this.whileDraining[phase] += arrived
    if (phase === 'evicting') this.#warnEvicting(arrived)
  }

  #warnEvicting (arrived: number): void {
    if (this.#warned) return
    this.#warned = true
    const ev = this.evidence(this.#now())
    this.#o.log.warn({ event: 'connects_while_evicting', arrived, sinceEviction: ev.sinceEviction, source: ev.source },
      `${ev.sinceEviction ?? arrived} CONNECT(s) reached this node after EMQX began evicting it: clients are routed into a node ` +
      'that is evicting them (a load balancer the sidecar does not see, or direct clients)')
  }

  evidence (now: number): ArrivalEvidence {
    const d = this.#drain
    const last = this.#last
    const windowMs = quietWindowMs(d?.rate, this.#o.graceMs)
    const quietFrom = this.#lastArrivalAt ?? d?.since
    const quietMs = d === undefined || this.#lastReadAt === undefined || quietFrom === undefined
      ? undefined
      : Math.max(0, this.#lastReadAt - quietFrom)
    const fresh = this.#error === undefined && this.#lastReadAt !== undefined && now - this.#lastReadAt <= 3 * this.#o.pollIntervalMs + 1000
    const verdict = d === undefined
      ? 'not_draining'
      : !fresh || last === undefined || d.atStart === undefined
          ? 'no_counter'
          : windowMs === undefined
            ? 'too_little_traffic'
            : (quietMs ?? 0) >= windowMs ? 'quiet' : 'arriving'
    return {
      verdict,
      source: this.#source,
      connects: last?.count,
      usualRatePerS: d?.rate ?? usualRate(this.#baseline, this.#minSpanMs),
      drainSince: d?.since,
      evictionSince: this.#eviction?.since,
      sinceDrain: d?.atStart === undefined || last === undefined ? undefined : last.count - d.atStart,
      sinceEviction: this.#eviction?.atStart === undefined || last === undefined ? undefined : last.count - this.#eviction.atStart,
      lastArrivalAt: this.#lastArrivalAt,
      quietMs,
      windowMs,
      lastReadAt: this.#lastReadAt,
      error: this.#error,
    }
  }
}
