import type { DrainProgress } from '../../ack/drain.js'
import type { CheckerInfo } from '../../checkers/tracker.js'
import type { ArrivalEvidence } from '../../ack/evidence.js'
import type { CounterSelection } from '../../emqx/counter-sources.js'
import type { CheckerView, CounterView, DrainAckView, DrainEvidenceView } from './status-types.js'

/** A checker as /status (and the slow-checker log line) shows it. */
export function checkerView (c: CheckerInfo): CheckerView {
  return {
    source: c.source,
    kind: c.kind,
    user_agent: c.userAgent,
    first_seen: new Date(c.firstSeen).toISOString(),
    last_seen: new Date(c.lastSeen).toISOString(),
    probes: c.probes,
    interval_ms: c.intervalMs ?? null,
    last_answer: c.lastAnswer,
    drain_answers: c.drainAnswers,
    fall: c.fall,
    told: c.told,
    told_at: c.toldAt === undefined ? null : new Date(c.toldAt).toISOString(),
    detection_ms: c.detectionMs ?? null,
    within_budget: c.withinBudget ?? null,
  }
}

/** The drain acknowledgement as /status (and the `drain_acknowledged` log line) shows it. */
export function drainAckView (d: DrainProgress): DrainAckView {
  return {
    draining_since: d.since === undefined ? null : new Date(d.since).toISOString(),
    acknowledged: d.acknowledged,
    acknowledged_after_seconds: d.acknowledgedAfterMs === undefined ? null : d.acknowledgedAfterMs / 1000,
    checkers_told: d.told,
    checkers_active: d.active,
  }
}

const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())
const seconds = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms / 100) / 10)

/** The arrival evidence as /status shows it. */
export function drainEvidenceView (e: ArrivalEvidence): DrainEvidenceView {
  return {
    verdict: e.verdict,
    source: e.source ?? null,
    connects_total: e.connects ?? null,
    usual_rate_per_second: e.usualRatePerS === undefined ? null : Math.round(e.usualRatePerS * 1000) / 1000,
    drain_rate_per_second: e.drainRatePerS === undefined ? null : Math.round(e.drainRatePerS * 1000) / 1000,
    draining_since: isoOrNull(e.drainSince),
    eviction_since: isoOrNull(e.evictionSince),
    connects_since_drain: e.sinceDrain ?? null,
    connects_since_eviction: e.sinceEviction ?? null,
    last_arrival: isoOrNull(e.lastArrivalAt),
    quiet_seconds: seconds(e.quietMs),
    quiet_window_seconds: seconds(e.windowMs),
    last_read: isoOrNull(e.lastReadAt),
    error: e.error ?? null,
    counter: e.counter === undefined ? null : counterView(e.counter),
  }
}

/** Which source the counter is read from and why not the others, as /status shows it. */
export function counterView (c: CounterSelection): CounterView {
  return {
    source: c.source ?? null,
    summary: c.summary,
    settled: c.settled,
    sources: c.sources.map((s) => ({
      source: s.source, request: s.request, state: s.state, http_status: s.httpStatus ?? null, why: s.why ?? null,
    })),
  }
}
