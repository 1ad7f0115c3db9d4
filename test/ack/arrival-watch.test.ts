import t from 'tap'
import pino from 'pino'
import { ArrivalWatch, FIRST_RATE_SPAN_MS } from '../../src/ack/arrivals.js'
import type { ConnectRead } from '../../src/emqx/connects.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { TestStore } from '../support/test-store.js'

/**
 * The arrival watch on a fake clock and a fake counter (pure of I/O): readings are taken with readNow(),
 * the drain is the manual drain switch. Poll interval 1 s, grace 1 s, the default baseline pace (15 s).
 */
const POLL_MS = 1000
const GRACE_MS = 1000

function setup (o: { baselineMs?: number } = {}) {
  let now = 1_000_000
  let count = 1000
  let read: () => ConnectRead = () => ({ ok: true, count, source: 'prometheus' })
  const store = new TestStore(initialSnapshot(now))
  const watch = new ArrivalWatch({
    read: async () => read(), store, log: pino({ level: 'silent' }), pollIntervalMs: POLL_MS, graceMs: GRACE_MS, now: () => now, ...o,
  })
  return {
    store,
    watch,
    /** time passes; `n` CONNECTs reach the node meanwhile; then a reading */
    async step (ms: number, n = 0): Promise<void> { now += ms; count += n; await watch.readNow() },
    advance (ms: number): void { now += ms },
    get now () { return now },
    restart (): void { count = 0 },
    failReads (): void { read = () => ({ ok: false, error: 'EMQX answered 500' }) },
    drain (): void { store.setOverride('manualDrain', { since: now, by: 'test' }, now) },
    evidence: () => watch.evidence(now),
  }
}

t.test('a sidecar a few seconds old: the usual rate is known from two readings FIRST_RATE_SPAN_MS apart', async (t) => {
  const s = setup()
  await s.step(0)
  t.equal(s.evidence().usualRatePerS, undefined, 'one reading: no rate')
  await s.step(FIRST_RATE_SPAN_MS, 30)
  t.equal(s.evidence().usualRatePerS, 10, '30 CONNECTs in 3 s: 10/s, not 30-45 s after start')
})

t.test('presence is evidence: CONNECTs during the drain hold it whatever the usual rate (unknown, or 0)', async (t) => {
  for (const usual of ['unknown', 'zero'] as const) {
    const s = setup()
    await s.step(0)
    if (usual === 'zero') { await s.step(FIRST_RATE_SPAN_MS); t.equal(s.evidence().usualRatePerS, 0) }
    s.drain()
    await s.step(10)
    t.equal(s.evidence().verdict, 'too_little_traffic', `${usual}: no arrival yet, no rate: nothing to judge`)
    await s.step(POLL_MS, 20)
    t.match(s.evidence(), { verdict: 'arriving', sinceDrain: 20, drainRatePerS: 20 }, `${usual}: the first arrival holds the wait`)
    await s.step(POLL_MS, 20)
    t.equal(s.evidence().verdict, 'arriving')
    await s.step(POLL_MS)
    t.match(s.evidence(), { verdict: 'quiet', windowMs: GRACE_MS }, `${usual}: quiet for the window (20/s: the grace) after the last`)
  }
})

t.test('the quiet window takes the larger of the usual rate and the drain\'s own', async (t) => {
  const s = setup()
  await s.step(0)
  await s.step(10_000, 10) // usual 1/s: a 5 s window
  s.drain()
  await s.step(10)
  t.match(s.evidence(), { verdict: 'arriving', windowMs: 5000 }, 'no arrival yet: the usual rate says wait 5 s')
  await s.step(POLL_MS, 50)
  t.match(s.evidence(), { drainRatePerS: 50, windowMs: GRACE_MS }, 'the drain\'s 50/s gives the shorter window (5 arrivals), at least the grace')
  const slow = setup()
  await slow.step(0)
  await slow.step(FIRST_RATE_SPAN_MS, 60) // usual 20/s
  slow.drain()
  await slow.step(10)
  await slow.step(2000, 1) // one misrouted CONNECT in 2 s: 0.5/s
  t.match(slow.evidence(), { verdict: 'arriving', windowMs: GRACE_MS }, 'a usual 20/s keeps the short window')
})

t.test('a stale reading is not evidence: quiet needs a reading within 3 polls + 1 s', async (t) => {
  const s = setup()
  await s.step(0)
  await s.step(FIRST_RATE_SPAN_MS, 60)
  s.drain()
  await s.step(10)
  await s.step(POLL_MS, 5)
  await s.step(POLL_MS)
  t.equal(s.evidence().verdict, 'quiet', 'fresh: quiet')
  s.advance(3 * POLL_MS + 1000)
  t.equal(s.evidence().verdict, 'quiet', 'at 3 polls + 1 s the reading still counts')
  s.advance(1)
  t.equal(s.evidence().verdict, 'no_counter', 'past it: no evidence, never quiet')
  const f = setup()
  await f.step(0)
  f.drain()
  await f.step(10)
  f.failReads()
  await f.step(POLL_MS)
  t.match(f.evidence(), { verdict: 'no_counter', error: 'EMQX answered 500' }, 'a failed read is no evidence either')
})

t.test('a counter that went back (EMQX restarted): what it counts since is arrivals, the baseline starts over', async (t) => {
  const s = setup()
  await s.step(0)
  await s.step(FIRST_RATE_SPAN_MS, 30)
  s.drain()
  await s.step(10)
  await s.step(POLL_MS, 4)
  s.restart()
  await s.step(POLL_MS, 7)
  t.match(s.evidence(), { verdict: 'arriving', sinceDrain: 11, connects: 7 }, 'the 7 counted since the restart arrived during the drain')
  t.equal(s.watch.whileDraining.before_eviction, 11, 'and are counted in the metric')
  const b = setup()
  await b.step(0)
  await b.step(FIRST_RATE_SPAN_MS, 3000)
  b.restart()
  await b.step(FIRST_RATE_SPAN_MS)
  t.equal(b.evidence().usualRatePerS, undefined, 'the baseline starts over: no rate from across the restart')
  await b.step(FIRST_RATE_SPAN_MS, 3)
  t.equal(b.evidence().usualRatePerS, 1)
})
