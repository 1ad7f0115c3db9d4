import t from 'tap'
import { decideAck } from '../../src/ack/decide.js'
import { quietWindowMs, usualRate } from '../../src/ack/evidence.js'

const S = { graceMs: 1000, expect: 0, maxMs: 60_000 }
const told = [{ kind: 'agent', source: 'lb', userAgent: '', told: true, lastSeen: Number.MAX_SAFE_INTEGER }]

t.test('the quiet window: long enough to expect 5 arrivals at the usual rate, never shorter than the grace', async (t) => {
  t.equal(quietWindowMs(10, 1000), 1000, '10/s: 0.5 s, raised to the grace')
  t.equal(quietWindowMs(1, 1000), 5000, '1/s: 5 s')
  t.equal(quietWindowMs(0, 1000), undefined, 'no usual traffic: cannot judge')
  t.equal(quietWindowMs(undefined, 1000), undefined, 'rate unknown: cannot judge')
  t.equal(usualRate([{ at: 0, count: 0 }, { at: 10_000, count: 50 }], 5000), 5)
  t.equal(usualRate([{ at: 0, count: 0 }, { at: 1000, count: 50 }], 5000), undefined, 'too short a span')
})

t.test('after told + grace, arrivals hold the wait; quiet, no counter or too little traffic end it', async (t) => {
  const m = decideAck(S, { startedAt: 0, everSeen: false }, told, 100).memory
  t.match(decideAck(S, m, told, 1200, 'arriving'), { done: false, stage: 'quiet' }, 'CONNECTs still arrive: wait')
  t.match(decideAck(S, m, told, 1200, 'quiet'), { done: true, endedBy: 'all_told' })
  t.match(decideAck(S, m, told, 1200, 'no_counter'), { done: true, endedBy: 'all_told' }, 'no counter: told + grace, as before')
  t.match(decideAck(S, m, told, 1200, 'too_little_traffic'), { done: true, endedBy: 'all_told' })
  t.match(decideAck(S, m, told, 60_000, 'arriving'), { done: true, endedBy: 'max_reached' }, 'arrivals to the maximum: max_reached')
  t.match(decideAck(S, m, told, 500, 'quiet'), { done: false, stage: 'grace' }, 'never shorter than the grace')
})
