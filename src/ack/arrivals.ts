import type { Logger } from 'pino'
import type { ConnectRead } from '../emqx/connects.js'
import type { ConnectSource, CounterSelection } from '../emqx/counter-sources.js'
import type { Store } from '../state/store.js'
import { drainBegins } from './drain.js'
import { evicting, quietWindowMs, usualRate, type ArrivalEvidence, type Reading } from './evidence.js'
import { LogEvents } from '../errors.js'

export interface ArrivalWatchOptions {
  /** EmqxClient.connects with the node name filled in by the caller */
  readonly read: () => Promise<ConnectRead>
  /** EmqxClient.connectCounter: the source in use and why not the others (logged once when found or changed) */
  readonly counter?: () => CounterSelection
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
/**
 * A usual rate is known from two readings this far apart: the first reading comes at the first check,
 * the second this long after it (not a baseline interval), so a sidecar a few seconds old judges as one
 * that has run for an hour.
 */
export const FIRST_RATE_SPAN_MS = 3000
/** a reading older than this many poll intervals (plus a second) is not evidence */
export const FRESH_POLLS = 3

/**
 * Reads the node's CONNECT counter: after every EMQX check while a drain runs (and at once when one begins
 * or eviction begins), otherwise at the first check, 3 s later (FIRST_RATE_SPAN_MS), then 15 s on from the last
 * reading, so it knows the usual rate from its first seconds. It keeps no timer of its own: the monitor's
 * checks (the store's `check` event) pace it, so an EMQX slow to answer checks slows the readings too (and
 * a reading older than three poll intervals is not evidence). Extra EMQX requests: one per check during a
 * drain, one per 15 s otherwise (two in the first 3 s); probes never cause a read.
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
  /**
   * The drain: when it began, the usual rate then, its first reading, and the CONNECTs counted in readings
   * after that one (summed reading by reading, so a counter that went back loses none of them)
   */
  #drain: { since: number, rate: number | undefined, first?: Reading, arrived: number } | undefined
  #eviction: { since: number, first?: Reading, arrived: number } | undefined
  /** the reading that showed the drain's last arrival, and the CONNECTs counted up to it */
  #lastArrival: { at: number, arrived: number } | undefined
  #warned = false
  /** the counter's source as last logged (its summary) */
  #loggedCounter: string | undefined
  /** CONNECTs that reached the node while it drained, by phase, since the sidecar started (metrics) */
  readonly whileDraining: Record<DrainPhase, number> = { before_eviction: 0, evicting: 0 }
  #reading: Promise<void> | undefined
  readonly #minSpanMs: number

  constructor (o: ArrivalWatchOptions) {
    this.#o = o
    this.#now = o.now ?? Date.now
    this.#minSpanMs = Math.min(FIRST_RATE_SPAN_MS, o.baselineMs ?? BASELINE_MS)
    o.store.on('check', () => { if (this.#running && this.#due()) this.readNow().catch(this.#failed) })
    o.store.on('update', (next, prev) => {
      const now = this.#now()
      if (next.state === 'up' && prev.state !== 'up') { this.#drain = undefined; this.#eviction = undefined; this.#warned = false; return }
      if (drainBegins(prev.state, next.state)) {
        this.#drain = { since: next.since, rate: usualRate(this.#baseline, this.#minSpanMs), arrived: 0 }
        this.#lastArrival = undefined
        this.readNow().catch(this.#failed)
      }
      if (this.#drain !== undefined && this.#eviction === undefined && evicting(next, now)) {
        this.#eviction = { since: now, arrived: 0 }
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
    // until a usual rate is known, the next reading comes FIRST_RATE_SPAN_MS after the last (the baseline's pace if shorter)
    const every = usualRate(this.#baseline, this.#minSpanMs) === undefined ? this.#minSpanMs : (this.#o.baselineMs ?? BASELINE_MS)
    return this.#lastReadAt === undefined || this.#now() - this.#lastReadAt >= every
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
    this.#logCounter()
    if (!r.ok) { this.#error = r.error; return }
    this.#error = undefined
    this.#source = r.source
    const prev = this.#last
    const reading = { at, count: r.count }
    this.#last = reading
    // A counter that went back: the node (or emqx_metrics) restarted, and counts from 0 again, so what it
    // shows now arrived since the restart, after the previous reading. The usual rate starts over.
    const wentBack = prev !== undefined && r.count < prev.count
    if (wentBack) this.#baseline = []
    const arrived = prev === undefined ? 0 : wentBack ? r.count : r.count - prev.count
    const d = this.#drain
    if (d === undefined) {
      this.#baseline.push(reading)
      if (this.#baseline.length > BASELINE_READINGS) this.#baseline.shift()
      return
    }
    const e = this.#eviction
    // the drain's first reading is where its count begins: CONNECTs before it may predate the drain
    if (d.first === undefined || prev === undefined || prev.at < d.since) {
      d.first ??= reading
      if (e !== undefined) e.first ??= reading
      return
    }
    if (e !== undefined && e.first === undefined) e.first = reading
    if (arrived === 0) return
    d.arrived += arrived
    this.#lastArrival = { at, arrived: d.arrived }
    const phase: DrainPhase = e !== undefined && prev.at >= e.since ? 'evicting' : 'before_eviction'
    if (phase === 'evicting' && e !== undefined) e.arrived += arrived
    this.whileDraining[phase] += arrived
    if (phase === 'evicting') this.#warnEvicting(arrived)
  }

  /**
   * One line when the counter's source is found, when it changes (another EMQX API, a source that answers after
   * none could) or when none can be read: the source and why not the others. Nothing while a source is only not
   * answering (tried again at the next reading).
   */
  #logCounter (): void {
    const c = this.#o.counter?.()
    if (c === undefined || !c.settled || c.summary === this.#loggedCounter) return
    this.#loggedCounter = c.summary
    const fields = {
      event: LogEvents.CONNECT_COUNTER_SOURCE,
      source: c.source ?? null,
      sources: c.sources.map((s) => ({ source: s.source, state: s.state, ...(s.why !== undefined ? { why: s.why } : {}) })),
    }
    const msg = `CONNECT counter (arrival evidence): ${c.summary}`
    if (c.source !== undefined) this.#o.log.info(fields, msg)
    else this.#o.log.warn(fields, `${msg}: a drain has no arrival evidence, an acknowledged evacuation ends on told + grace`)
  }

  #warnEvicting (arrived: number): void {
    if (this.#warned) return
    this.#warned = true
    const ev = this.evidence(this.#now())
    this.#o.log.warn({ event: LogEvents.CONNECTS_WHILE_EVICTING, arrived, sinceEviction: ev.sinceEviction, source: ev.source },
      `${ev.sinceEviction ?? arrived} CONNECT(s) reached this node after EMQX began evicting it: clients are routed into a node ` +
      'that is evicting them (a load balancer the sidecar does not see, or direct clients)')
  }

  evidence (now: number): ArrivalEvidence {
    const d = this.#drain
    const last = this.#last
    const drainRate = this.#drainRate()
    // presence is evidence: the rate seen during the drain counts as much as the usual one
    const rate = d === undefined ? undefined : maxRate(d.rate, drainRate)
    const windowMs = quietWindowMs(rate, this.#o.graceMs)
    const quietFrom = this.#lastArrival?.at ?? d?.since
    const quietMs = d === undefined || this.#lastReadAt === undefined || quietFrom === undefined
      ? undefined
      : Math.max(0, this.#lastReadAt - quietFrom)
    const fresh = this.#error === undefined && this.#lastReadAt !== undefined &&
      now - this.#lastReadAt <= FRESH_POLLS * this.#o.pollIntervalMs + 1000
    const verdict = d === undefined
      ? 'not_draining'
      : !fresh || last === undefined || d.first === undefined
          ? 'no_counter'
          : windowMs === undefined
            ? 'too_little_traffic'
            : (quietMs ?? 0) >= windowMs ? 'quiet' : 'arriving'
    return {
      verdict,
      source: this.#source,
      connects: last?.count,
      usualRatePerS: d?.rate ?? usualRate(this.#baseline, this.#minSpanMs),
      drainRatePerS: drainRate,
      drainSince: d?.since,
      evictionSince: this.#eviction?.since,
      sinceDrain: d?.first === undefined ? undefined : d.arrived,
      sinceEviction: this.#eviction?.first === undefined ? undefined : this.#eviction.arrived,
      lastArrivalAt: this.#lastArrival?.at,
      quietMs,
      windowMs,
      lastReadAt: this.#lastReadAt,
      error: this.#error,
      counter: this.#o.counter?.(),
    }
  }

  /**
   * CONNECTs per second during the drain, from its first reading to the one that showed its last arrival
   * (a single arrival over at least a poll interval); undefined when none arrived.
   */
  #drainRate (): number | undefined {
    const d = this.#drain
    const a = this.#lastArrival
    if (d?.first === undefined || a === undefined || a.arrived === 0) return undefined
    return a.arrived / (Math.max(a.at - d.first.at, this.#o.pollIntervalMs) / 1000)
  }
}

function maxRate (a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b)
}
