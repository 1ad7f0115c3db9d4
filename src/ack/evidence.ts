/**
 * Arrival evidence: whether new MQTT connections still reach a draining node, from EMQX's own CONNECT
 * counter (src/emqx/connects.ts). A checker that was told is not a load balancer that stopped routing
 * (a cloud LB acting late, a second LB or clients that never probe the sidecar); the counter shows it.
 * Pure: the watcher (./arrivals.ts) feeds it readings.
 */
import type { ConnectSource, CounterSelection } from '../emqx/counter-sources.js'
import { isEvictingState } from '../emqx/rebalance.js'
import type { Snapshot } from '../state/model.js'
import type { EvidenceVerdict } from '../state/evacuation-types.js'

export interface ArrivalEvidence {
  readonly verdict: EvidenceVerdict
  readonly source: ConnectSource | undefined
  /** the counter at the last reading */
  readonly connects: number | undefined
  /** CONNECTs per second before the drain (the node's usual rate), when known */
  readonly usualRatePerS: number | undefined
  /** CONNECTs per second during the drain, up to its last arrival; undefined while none arrived */
  readonly drainRatePerS: number | undefined
  readonly drainSince: number | undefined
  readonly evictionSince: number | undefined
  readonly sinceDrain: number | undefined
  readonly sinceEviction: number | undefined
  /** the reading that first showed the last arrival (arrivals are seen to a poll interval) */
  readonly lastArrivalAt: number | undefined
  /** how long no CONNECT has arrived, up to the last reading */
  readonly quietMs: number | undefined
  /** the quiet needed to judge that arrivals stopped: long enough to expect 5 at the larger of the usual and the drain's rate */
  readonly windowMs: number | undefined
  readonly lastReadAt: number | undefined
  readonly error: string | undefined
  /** which source the counter is read from and why not the others; undefined without the client's report */
  readonly counter: CounterSelection | undefined
}

/** Arrivals expected within the quiet window at the rate: with fewer, a quiet spell proves little. */
export const EXPECTED_ARRIVALS = 5

/**
 * The quiet window for a rate (the larger of the usual one and the drain's own), never shorter than the
 * grace; undefined when the rate is unknown or 0: no arrival before or during the drain, nothing to judge.
 */
export function quietWindowMs (ratePerS: number | undefined, graceMs: number): number | undefined {
  if (ratePerS === undefined || ratePerS <= 0) return undefined
  return Math.max(graceMs, Math.ceil((EXPECTED_ARRIVALS / ratePerS) * 1000))
}

export interface Reading { readonly at: number, readonly count: number }

/** CONNECTs per second over the readings (oldest to newest), when they span at least `minSpanMs`. */
export function usualRate (readings: readonly Reading[], minSpanMs: number): number | undefined {
  const first = readings[0]
  const last = readings.at(-1)
  if (first === undefined || last === undefined || last.at - first.at < minSpanMs) return undefined
  return Math.max(0, last.count - first.count) / ((last.at - first.at) / 1000)
}

/** Whether EMQX is evicting this node's clients now: an evacuation past its wait, or a donor evicting. */
export function evicting (s: Snapshot, now: number): boolean {
  const e = s.overrides.evacuation
  if (e !== undefined && e.evictionStartsAt !== undefined && now >= e.evictionStartsAt && e.phase !== 'failed') return true
  const r = s.rebalance
  return r?.status === 'enabled' && isEvictingState(r.state)
}
