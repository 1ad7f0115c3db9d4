import t from 'tap'
import { countAck, isExpected, type AckChecker } from '../../src/checkers/rule.js'

// A checker stays expected while seen within three of its own intervals (at least 5 s): a load balancer that
// misses one or two probes (a slow HAProxy, a lost packet) still holds the wait, one silent for three does not.
const lb = (intervalMs: number, told = false): AckChecker => ({ kind: 'http', source: '10.0.0.5', userAgent: 'lb', told, lastSeen: 0, intervalMs })

t.test('expected for three of its intervals, not one, and never less than 5 s', async (t) => {
  t.equal(isExpected(lb(2000), 5999), true, '2 s interval, seen 6 s ago less a millisecond: two probes missed, still expected')
  t.equal(isExpected(lb(2000), 6000), true, 'at exactly three intervals')
  t.equal(isExpected(lb(2000), 6001), false, 'past three intervals: it went silent')
  t.equal(isExpected(lb(4000), 11_000), true, '4 s interval: expected for 12 s')
  t.equal(isExpected(lb(4000), 12_001), false)
  t.equal(isExpected(lb(500), 4999), true, 'a fast checker gets the 5 s minimum')
  t.equal(isExpected(lb(500), 5001), false)
  t.match(countAck([lb(4000), lb(4000, true)], 0, 9000), { expected: 2, acknowledged: false, awaited: ['http 10.0.0.5 "lb"'] },
    'an untold checker that missed two 4 s probes still holds the acknowledgement')
})
