import t from 'tap'
import type { CheckOutcome } from '../../src/emqx/outcome.js'
import type { Snapshot } from '../../src/state/model.js'
import { applyCheck, initialSnapshot } from '../../src/state/transition.js'
import { moveTo } from '../../src/state/move.js'

const ok: CheckOutcome = { kind: 'available' }
const drain: CheckOutcome = { kind: 'unavailable', code: 'NODE_EVACUATING' }
const notRunning: CheckOutcome = { kind: 'not_running' }
const timeout: CheckOutcome = { kind: 'failure', reason: 'timeout', detail: 'no answer' }
const auth: CheckOutcome = { kind: 'failure', reason: 'auth', detail: 'EMQX answered 401', httpStatus: 401 }

function run (outcomes: CheckOutcome[], threshold = 3, from: Snapshot = initialSnapshot(0)): Snapshot[] {
  const out: Snapshot[] = []
  let s = from
  outcomes.forEach((o, i) => { s = applyCheck(s, { outcome: o, at: (i + 1) * 1000, durationMs: 1 }, threshold); out.push(s) })
  return out
}
const states = (xs: Snapshot[]): string[] => xs.map((s) => s.state)

t.test('starting answers 503 until the first successful check', async (t) => {
  const s = initialSnapshot(0)
  t.equal(s.state, 'starting')
  t.same(states(run([timeout, timeout, ok])), ['starting', 'starting', 'up'])
})

t.test('starting becomes down after threshold failures', async (t) => {
  const xs = run([timeout, timeout, timeout])
  t.same(states(xs), ['starting', 'starting', 'down'])
  t.equal(xs[2]?.reason, 'emqx_timeout')
  t.match(xs[2]?.message, /3 failed checks in a row/)
})

t.test('EMQX 503 drains at once, with no hysteresis, and returns at once', async (t) => {
  const xs = run([ok, drain, ok])
  t.same(states(xs), ['up', 'draining', 'up'])
  t.equal(xs[1]?.reason, 'emqx_unavailable')
  t.equal(xs[1]?.since, 2000, 'since = the check that saw the drain')
})

t.test('failures keep up or draining until the threshold', async (t) => {
  t.same(states(run([ok, timeout, timeout, ok])), ['up', 'up', 'up', 'up'], 'two blips do not flap')
  t.same(states(run([drain, timeout, timeout, timeout])), ['draining', 'draining', 'draining', 'down'])
  t.same(states(run([ok, timeout], 1)), ['up', 'down'], 'threshold 1')
})

t.test('a failure streak is counted and reset by any answer', async (t) => {
  const xs = run([ok, timeout, timeout, drain])
  t.same(xs.map((s) => s.consecutiveFailures), [0, 1, 2, 0])
  t.same(xs.map((s) => s.emqxAnswered), [true, false, false, true])
  t.equal(xs[2]?.lastSuccessAt, 1000)
  t.match(xs[2]?.lastCheck, { outcome: 'failure', failureReason: 'timeout' })
})

t.test('auth failures are failures with their own reason', async (t) => {
  const xs = run([auth, auth, auth])
  t.equal(xs[2]?.state, 'down')
  t.equal(xs[2]?.reason, 'emqx_auth')
})

t.test('node status 503 (not running) is authoritative: down at once', async (t) => {
  const xs = run([ok, notRunning, ok])
  t.same(states(xs), ['up', 'down', 'up'])
  t.equal(xs[1]?.reason, 'emqx_not_running')
})

t.test('when down, a new failure reason updates the reason but not since', async (t) => {
  const xs = run([timeout, timeout, timeout, auth])
  t.equal(xs[3]?.state, 'down')
  t.equal(xs[3]?.reason, 'emqx_auth')
  t.equal(xs[3]?.since, xs[2]?.since)
})

t.test('already down (EMQX not running), one failure is reason enough: no threshold to wait for', async (t) => {
  const xs = run([notRunning, timeout])
  t.same(states(xs), ['down', 'down'])
  t.equal(xs[1]?.consecutiveFailures, 1, 'below the threshold of 3')
  t.equal(xs[1]?.reason, 'emqx_timeout', 'the reason says what is wrong now, not the stale not_running')
  t.equal(xs[1]?.since, xs[0]?.since)
})

t.test('stopping is final: checks no longer change it', async (t) => {
  const stopping = moveTo(initialSnapshot(0), 'stopping', 'shutdown', 'bye', 5)
  t.equal(applyCheck(stopping, { outcome: ok, at: 6, durationMs: 1 }, 3), stopping)
})

t.test('moveTo returns the same object when nothing changes', async (t) => {
  const s = initialSnapshot(0)
  t.equal(moveTo(s, s.state, s.reason, s.message, 10), s)
  t.equal(run([ok, ok])[1]?.since, 1000, 'since does not move while up')
})

t.test('e5.2-5.3 purge: availability_check 500 while the cluster view lists a purge drains at once (fail closed)', async (t) => {
  const crash: CheckOutcome = { kind: 'failure', reason: 'http_5xx', detail: 'EMQX answered 500', httpStatus: 500 }
  const purging: Snapshot = { ...initialSnapshot(0), cluster: { evacuations: [], purges: [{ node: 'emqx@n3', state: 'purging' }], rebalances: [] } }
  const xs = run([ok, crash, crash, crash, crash], 3, purging)
  t.same(states(xs), ['up', 'draining', 'draining', 'draining', 'draining'], 'not up until --failure-threshold, not down after it')
  t.match(xs[1], { reason: 'emqx_purging', since: 2000, consecutiveFailures: 0, lastCheck: { outcome: 'failure', failureReason: 'http_5xx' } })
  t.match(xs[1]?.message, /availability_check answered 500 while a cluster purge runs \(coordinator emqx@n3\)/)
  t.same(states(run([ok, crash, crash, crash])), ['up', 'up', 'up', 'down'], 'without a purge in the view a 500 is a failure as before')
  const noPurge = { ...purging, cluster: { evacuations: [], purges: [], rebalances: [] } }
  t.same(states(run([ok, crash], 3, noPurge)), ['up', 'up'], 'nor with a view that lists none')
  const other: CheckOutcome = { kind: 'failure', reason: 'http_5xx', detail: 'EMQX answered 502', httpStatus: 502 }
  t.same(states(run([ok, other, timeout], 3, purging)), ['up', 'up', 'up'], 'only a 500 is that crash; other failures count as before')
  t.same(states(run([ok, crash, ok], 3, purging)), ['up', 'draining', 'up'], 'the purge over, EMQX answers 200 again')
})
