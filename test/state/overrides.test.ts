import t from 'tap'
import type { CheckOutcome } from '../../src/emqx/outcome.js'
import type { Snapshot, Verdict } from '../../src/state/model.js'
import type { EvacuationProgress } from '../../src/state/evacuation-types.js'
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

t.test('durable sessions (5.8+): done once no connection is left and the session count stopped falling, never while it falls', async (t) => {
  const base: EvacuationProgress = { phase: 'running', by: 'x', startedAt: 0, deadlineAt: 600_000 }
  const rb = (sess: number, conns = 0, recipients: string[] = ['emqx@n2'], state = 'evicting_sessions') =>
    ({ status: 'enabled' as const, process: 'evacuation', state, session_recipients: recipients, stats: { current_connected: conns, current_sessions: sess } })
  const fold = (reads: Array<[number, number, number?]>, recipients?: string[], o: { durable?: boolean } = { durable: true }): EvacuationProgress =>
    reads.reduce((p, [at, sess, conns]) => foldStatus(p, rb(sess, conns ?? 0, recipients), at, undefined, o.durable), base)
  t.match(fold([[0, 10], [1000, 8], [2000, 5]]), { phase: 'running', sessions: 5 }, 'falling: movable sessions are being moved')
  t.match(fold([[0, 10], [1000, 8], [2000, 5], [3000, 5], [4000, 5], [6999, 5]]), { phase: 'running' }, 'not yet 5 s since the lowest count')
  const done = fold([[0, 10], [1000, 8], [2000, 5], [3000, 5], [4000, 5], [7000, 5]])
  t.match(done, { phase: 'done', finishedAt: 7000, doneReason: 'sessions_stalled', sessions: 5, connections: 0 }, 'stopped falling for 5 s and 3 reads')
  t.match(done.sessionsNote, /^5 sessions left, not falling for 5s with no connection left: sessions left are durable sessions EMQX keeps in storage/)
  t.match(effectiveVerdict(up, { evacuation: done }), { message: /^evacuation finished \(evicting_sessions, 0 connections and 5 sessions left; 5 sessions left, .*durable sessions .*\): the node can be stopped$/ })
  t.match(fold([[0, 5], [5000, 5], [5001, 5]]), { phase: 'running' }, 'three reads after the lowest, however long it took')
  t.match(fold([[0, 5], [100, 5], [200, 5], [300, 5], [400, 5]]), { phase: 'running' }, 'fast polls alone are not enough: EMQX moves sessions once a second')
  t.match(fold([[0, 10], [1000, 5], [2000, 5], [3000, 5], [5900, 4], [8000, 4], [9000, 4], [10_000, 4]]), { phase: 'running' }, 'a new low starts over')
  t.match(fold([[0, 10], [1000, 5], [2000, 5], [3000, 5], [5900, 4], [8000, 4], [9000, 4], [10_900, 4]]), { phase: 'done', doneReason: 'sessions_stalled' })
  t.match(fold([[0, 10], [1000, 5], [2000, 6], [3000, 6], [6000, 7]]), { phase: 'done' }, 'a count that rises (the cluster-wide tally) is not falling')
  t.match(fold([[0, 5, 1], [3000, 5, 1], [4000, 5, 1], [9000, 5, 1]]), { phase: 'running' }, 'never while a connection is left')
  const stuck = [0, 3000, 4000, 9000].reduce((p, at) => foldStatus(p, rb(5, 0, ['emqx@n2'], 'waiting_takeover'), at), base)
  t.match(stuck, { phase: 'running' }, 'never outside evicting_sessions (the count is stale there)')
  t.match(fold([[0, 5], [3000, 5], [4000, 5], [9000, 5]], []), { phase: 'done', sessionsNote: /no node to move sessions to \(session_recipients is empty\)/ },
    'no node to take them: EMQX cannot move them either')
  const stalled = [[0, 10], [1000, 8], [2000, 5], [3000, 5], [4000, 5], [7000, 5]] as Array<[number, number]>
  const off = fold(stalled, undefined, { durable: false })
  t.match(off, { phase: 'done', doneReason: 'sessions_stalled' }, 'the same stall with durable sessions off')
  t.match(off.sessionsNote, /^5 sessions left, .*: durable sessions are off, so the sessions left are disconnected sessions on this node EMQX could not hand over/)
  t.notMatch(off.sessionsNote, /in storage/, 'off: EMQX counts no durable session (the bookkeeper answers 0)')
  const unknown = fold(stalled, undefined, {})
  t.match(unknown.sessionsNote, /: not known whether durable sessions are on .*: the sessions left are durable sessions EMQX keeps in storage .* or disconnected sessions/,
    'not known (the counter read elsewhere, or not yet): the note says so and names both')
  t.match(foldStatus(base, rb(0), 1), { phase: 'done', doneReason: 'empty' })
  t.match(foldStatus(base, rb(3, 0, [], 'prohibiting'), 1), { phase: 'done', doneReason: 'prohibiting' })
  t.equal(foldStatus(base, rb(0), 1).sessionsNote, undefined, 'nothing to say when nothing is left')
  t.match(foldStatus(base, rb(5), 0, 10), { sessionsLow: { count: 5, since: 0, reads: 0 } }, 'the stall time can be set (tests)')
})
