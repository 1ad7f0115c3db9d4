import t from 'tap'
import { drainAckHarness } from '../../support/drain-ack.js'
import { checkerView, drainAckView } from '../../../src/http/views/status-checkers.js'
import { CheckerTracker } from '../../../src/checkers/tracker.js'

const tracker = (): CheckerTracker => new CheckerTracker({ maxCheckers: 10, ttlMs: 60_000, checkerFall: 3, budgetMs: 10_000 })

t.test('/status shows a checker in JSON terms: snake_case, ISO times, null where not known yet', async (t) => {
  const tr = tracker()
  tr.observe({ source: '10.0.0.1', kind: 'http', userAgent: 'HAProxy', available: true, answer: '200', at: 1000 })
  t.same(tr.checkers(1000).map(checkerView), [{
    source: '10.0.0.1',
    kind: 'http',
    user_agent: 'HAProxy',
    first_seen: '1970-01-01T00:00:01.000Z',
    last_seen: '1970-01-01T00:00:01.000Z',
    probes: 1,
    interval_ms: null,
    last_answer: '200',
    drain_answers: 0,
    fall: 3,
    told: false,
    told_at: null,
    detection_ms: null,
    within_budget: null,
  }], 'seen once: no interval, so no detection time and no budget verdict')
  tr.observe({ source: '10.0.0.1', kind: 'http', userAgent: 'HAProxy', available: true, answer: '200', at: 5000 })
  t.match(checkerView(tr.checkers(5000)[0] ?? t.fail('no checker') as never), { interval_ms: 4000, detection_ms: 12_000, within_budget: false, last_seen: '1970-01-01T00:00:05.000Z' })
})

t.test('/status shows the drain acknowledgement with its start as ISO time and its delay in seconds', async (t) => {
  const { tracker: tr, ack, drain } = drainAckHarness()
  t.same(drainAckView(ack.progress(0)), { draining_since: null, acknowledged: false, acknowledged_after_seconds: null, checkers_told: 0, checkers_active: 0 })
  tr.observe({ source: 'lb', kind: 'agent', available: true, answer: 'up', at: 1000 })
  drain(2000)
  tr.observe({ source: 'lb', kind: 'agent', available: false, answer: 'drain', at: 3500 })
  t.same(drainAckView(ack.progress(3500)), { draining_since: '1970-01-01T00:00:02.000Z', acknowledged: true, acknowledged_after_seconds: 1.5, checkers_told: 1, checkers_active: 1 })
  t.match(tr.checkers(3500).map(checkerView), [{ told: true, told_at: '1970-01-01T00:00:03.500Z' }], 'told_at: the probe that told it')
})
