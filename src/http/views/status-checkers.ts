import type { DrainProgress } from '../../ack/drain.js'
import type { CheckerInfo } from '../../checkers/tracker.js'
import type { CheckerView, DrainAckView } from './status-types.js'

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
