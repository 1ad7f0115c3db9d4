import t from 'tap'
import type { CheckOutcome } from '../../src/emqx/outcome.js'
import type { EvacuationProgress, Snapshot, Verdict } from '../../src/state/model.js'
import { effectiveVerdict, setOverride, settle } from '../../src/state/overrides.js'
import { applyCheck, initialSnapshot } from '../../src/state/transition.js'
import { moveTo } from '../../src/state/move.js'
import { foldStatus, checkDeadline } from '../../src/state/evacuation-progress.js'

const ok: CheckOutcome = { kind: 'available' }
const drain: CheckOutcome = { kind: 'unavailable', code: 'NODE_EVACUATING' }
const timeout: CheckOutcome = { kind: 'failure', reason: 'timeout', detail: 'no answer' }
const check = (s: Snapshot, outcome: CheckOutcome, at: number, threshold = 3): Snapshot => applyCheck(s, { outcome, at, durationMs: 1 }, threshold)
const up: Verdict = { state: 'up', reason: 'emqx_available', message: 'ok' }
const evac: EvacuationProgress = { phase: 'running', by: '127.0.0.1', startedAt: 0, deadlineAt: 60_000, emqxState: 'evicting_conns', connections: 5, sessions: 7 }

t.test('without overrides the served verdict is EMQX\'s', async (t) => {
  t.equal(effectiveVerdict(up, {}), up)
})

t.test('any override drains whatever EMQX says, except down (EMQX broken is the more urgent fact)', async (t) => {
  const sw = { since: 1, by: '10.0.0.1' }
  for (const observed of ['starting', 'up', 'draining'] as const) {
    const v: Verdict = { state: observed, reason: 'emqx_available', message: 'm' }
    t.match(effectiveVerdict(v, { manualDrain: sw }), { state: 'draining', reason: 'manual_drain', message: /POST \/admin\/drain from 10\.0\.0\.1/ }, observed)
    t.match(effectiveVerdict(v, { drainFile: { since: 1, by: 'file' } }), { state: 'draining', reason: 'drain_file' })
    t.match(effectiveVerdict(v, { evacuation: evac }), { state: 'draining', reason: 'evacuation', message: /evicting_conns, 5 connections and 7 sessions left/ })
  }
  const down: Verdict = { state: 'down', reason: 'emqx_refused', message: 'refused' }
  t.equal(effectiveVerdict(down, { manualDrain: sw, evacuation: evac }), down)
  t.equal(effectiveVerdict(up, { manualDrain: sw, drainFile: sw, evacuation: evac }).reason, 'evacuation', 'evacuation is named first')
  t.equal(effectiveVerdict(up, { manualDrain: sw, drainFile: sw }).reason, 'manual_drain')
  t.match(effectiveVerdict(up, { evacuation: { ...evac, phase: 'failed', error: 'RPC_ERROR' } }), { state: 'draining', message: /failed: RPC_ERROR; still draining/ }, 'a failed evacuation still drains')
})

t.test('setOverride: 503 at once, EMQX keeps being tracked underneath, and clearing returns to EMQX\'s verdict', async (t) => {
  let s = check(initialSnapshot(0), ok, 1000)
  t.equal(s.state, 'up')
  s = setOverride(s, 'manualDrain', { since: 2000, by: 'me' }, 2000)
  t.match(s, { state: 'draining', reason: 'manual_drain', since: 2000, observed: { state: 'up' } })
  s = check(s, drain, 3000)
  t.match(s, { state: 'draining', reason: 'manual_drain', since: 2000, observed: { state: 'draining', reason: 'emqx_unavailable' } }, 'EMQX drains too: still the override that is named')
  s = check(s, ok, 4000)
  s = setOverride(s, 'manualDrain', undefined, 5000)
  t.match(s, { state: 'up', reason: 'emqx_available', since: 5000 })
  t.equal(setOverride(s, 'manualDrain', undefined, 6000), s, 'clearing nothing changes nothing')
})

t.test('failure hysteresis counts on EMQX\'s verdict, not the overridden one', async (t) => {
  let s = check(initialSnapshot(0), ok, 1000)
  s = setOverride(s, 'drainFile', { since: 1, by: 'file' }, 1500)
  s = check(s, timeout, 2000)
  s = check(s, timeout, 3000)
  t.match(s, { state: 'draining', observed: { state: 'up' } }, 'two failures: EMQX still counted up')
  s = check(s, timeout, 4000)
  t.match(s, { state: 'down', reason: 'emqx_timeout', observed: { state: 'down' } }, 'third: down wins over the drain file')
  s = check(s, ok, 5000)
  t.match(s, { state: 'draining', reason: 'drain_file' }, 'EMQX back: the file still drains')
})

t.test('stopping is final: overrides change the record, not the served state', async (t) => {
  let s = moveTo(initialSnapshot(0), 'stopping', 'shutdown', 'bye', 1)
  s = setOverride(s, 'evacuation', evac, 2)
  t.match(s, { state: 'stopping', overrides: { evacuation: { phase: 'running' } } })
  t.equal(settle(s, 3), s)
})

t.test('evacuation progress: done at prohibiting, or when nothing is left in evicting_sessions (counts are stale before); deadline; stopped outside', async (t) => {
  const base: EvacuationProgress = { phase: 'running', by: 'x', startedAt: 0, deadlineAt: 10_000 }
  const rb = (state: string, conns: number, sess: number) => ({ status: 'enabled' as const, process: 'evacuation', state, stats: { current_connected: conns, current_sessions: sess } })
  const conns = foldStatus(base, rb('evicting_conns', 3, 4), 1)
  t.match(conns, { phase: 'running', emqxState: 'evicting_conns', connections: 3 })
  t.equal(conns.sessions, undefined, 'current_sessions is stale before evicting_sessions: not reported')
  t.match(foldStatus(base, rb('waiting_health_check', 0, 0), 1), { phase: 'running' }, 'an empty node still gives load balancers wait_health_check')
  t.match(foldStatus(base, rb('evicting_conns', 0, 0), 2), { phase: 'running' }, 'a stale zero session count does not finish it')
  t.match(foldStatus(base, rb('waiting_takeover', 0, 0), 2), { phase: 'running' }, 'nor in waiting_takeover: disconnected sessions still wait for their clients')
  t.match(foldStatus(base, rb('evicting_sessions', 0, 2), 2), { phase: 'running', sessions: 2 }, 'counts are fresh in evicting_sessions')
  t.match(foldStatus(base, rb('evicting_sessions', 0, 0), 2), { phase: 'done', finishedAt: 2 }, 'nothing left once EMQX counts again')
  t.match(foldStatus(base, rb('prohibiting', 0, 3), 3), { phase: 'done', emqxState: 'prohibiting' })
  t.match(foldStatus(base, { status: 'disabled' }, 4), { phase: 'failed', error: /no longer running/ })
  t.match(foldStatus(base, { status: 'enabled', process: 'rebalance', state: 'evicting_conns' }, 4), { phase: 'failed' })
  t.match(checkDeadline(base, 10_000), { phase: 'deadline', finishedAt: 10_000 })
  t.equal(checkDeadline(base, 9_999), base)
  const done = { ...base, phase: 'done' as const }
  t.equal(checkDeadline(done, 20_000), done, 'a finished evacuation does not pass its deadline')
})
