import t from 'tap'
import { attempted, decide, initialDebounce, type DebounceState } from '../../src/nginx/debounce.js'

const rules = { settleMs: 1000, minIntervalMs: 5000 }

t.test('no change: nothing to do', async (t) => {
  t.same(decide(initialDebounce('A'), 'A', 0, rules).decision, { action: 'none' })
})

t.test('a change is applied only after it stayed the same for the settle time', async (t) => {
  let s: DebounceState = initialDebounce('A')
  let d = decide(s, 'B', 10_000, rules); s = d.state
  t.same(d.decision, { action: 'wait', why: 'settling', untilMs: 11_000 })
  d = decide(s, 'B', 10_999, rules); s = d.state
  t.equal(d.decision.action, 'wait')
  d = decide(s, 'B', 11_000, rules); s = d.state
  t.same(d.decision, { action: 'apply' })
  s = attempted(s, 'B', true, 11_000)
  t.equal(s.applied, 'B')
  t.same(decide(s, 'B', 11_100, rules).decision, { action: 'none' })
})

t.test('a node flapping faster than the settle time never causes a reload', async (t) => {
  let s: DebounceState = initialDebounce('A')
  let applies = 0
  for (let now = 0; now < 60_000; now += 100) {
    const wanted = Math.floor(now / 700) % 2 === 0 ? 'B' : 'A' // flips every 700 ms
    const d = decide(s, wanted, now, rules)
    s = d.state
    if (d.decision.action === 'apply') { applies++; s = attempted(s, wanted, true, now) }
  }
  t.equal(applies, 0)
})

t.test('a slow flap is bounded by the minimum reload interval', async (t) => {
  let s: DebounceState = initialDebounce('A')
  const appliedAt: number[] = []
  for (let now = 0; now < 60_000; now += 100) {
    const wanted = Math.floor(now / 1500) % 2 === 0 ? 'B' : 'A' // flips every 1.5 s, longer than settle
    const d = decide(s, wanted, now, rules)
    s = d.state
    if (d.decision.action === 'apply') { appliedAt.push(now); s = attempted(s, wanted, true, now) }
  }
  t.ok(appliedAt.length > 0 && appliedAt.length <= 60_000 / 5000, `${appliedAt.length} reloads in 60 s`)
  for (let i = 1; i < appliedAt.length; i++) t.ok((appliedAt[i] as number) - (appliedAt[i - 1] as number) >= 5000)
})

t.test('a failed attempt keeps the old text applied and waits the interval before retrying', async (t) => {
  let s = attempted(initialDebounce('A'), 'B', false, 1000)
  t.equal(s.applied, 'A')
  let d = decide(s, 'B', 1000, { ...rules, settleMs: 0 })
  t.same(d.decision, { action: 'wait', why: 'min_interval', untilMs: 6000 })
  s = d.state
  d = decide(s, 'B', 6000, { ...rules, settleMs: 0 })
  t.same(d.decision, { action: 'apply' })
})

t.test('immediate (first poll) skips settling but not the interval', async (t) => {
  t.same(decide(initialDebounce(undefined), 'B', 0, rules, true).decision, { action: 'apply' })
})
