import t from 'tap'
import { formatStatus } from '../../src/commands/status-format.js'

t.test('the status command shows drain switches, the evacuation and what EMQX alone says', async (t) => {
  const text = formatStatus({
    state: 'draining',
    available: false,
    reason: 'evacuation',
    observed: { state: 'draining', reason: 'emqx_unavailable' },
    overrides: {
      manual_drain: { since: '2026-01-01T00:00:00.000Z', by: '10.0.0.1' },
      drain_file: null,
      evacuation: { phase: 'running', requested_by: '127.0.0.1', started_at: 'T0', emqx_state: 'evicting_conns', connections: 40, sessions: 41, deadline: 'T1', error: null },
    },
  })
  t.match(text, /manual drain: on since 2026-01-01T00:00:00.000Z \(by 10\.0\.0\.1\)/)
  t.notMatch(text, /drain file/)
  t.match(text, /evacuation \(requested by 127\.0\.0\.1 at T0\): running, EMQX state evicting_conns, 40 connections and 41 sessions left, deadline T1\n/)
  t.match(text, /EMQX alone says: draining \(emqx_unavailable\)/)
  t.notMatch(formatStatus({ state: 'up', overrides: { manual_drain: null, drain_file: null, evacuation: null }, observed: { state: 'up' } }), /EMQX alone says/, 'nothing when no switch is on')
})

t.test('the status command shows the acknowledged wait: who is awaited, then why it ended and what EMQX was asked', async (t) => {
  const doc = (evacuation: Record<string, unknown>): Record<string, unknown> => ({ state: 'draining', overrides: { manual_drain: null, drain_file: null, evacuation }, observed: { state: 'up' } })
  const waiting = formatStatus(doc({ phase: 'awaiting_ack', requested_by: 'x', acknowledgement: { stage: 'checkers', checkers_known: 2, checkers_told: 1, checkers_expected: 0, awaited: ['http 10.0.0.5'], max_at: 'T9' }, wait_health_check_sent: null }))
  t.match(waiting, /awaiting_ack/)
  t.match(waiting, /load balancers: awaiting acknowledgement: 1\/2 checkers told; still awaited: http 10\.0\.0\.5; at most until T9\n/)
  const ended = formatStatus(doc({ phase: 'running', requested_by: 'x', acknowledgement: { stage: 'ended', checkers_known: 1, checkers_told: 1, checkers_expected: 0, awaited: [], ended_by: 'all_told', ended_after_seconds: 1.6 }, wait_health_check_sent: 0, eviction_starts_at: 'T2' }))
  t.match(ended, /load balancers: wait ended by all_told after 1\.6s \(1\/1 checkers told\); EMQX asked for wait_health_check 0s, evicting from T2\n/)
  t.notMatch(formatStatus(doc({ phase: 'running', requested_by: 'x', acknowledgement: null })), /load balancers/)
})

t.test('the status command says why an evacuation was done, and what the sessions left are', async (t) => {
  const ev = { phase: 'done', requested_by: 'x', started_at: 'T0', emqx_state: 'evicting_sessions', connections: 0, sessions: 5, deadline: 'T1', error: null }
  const doc = (extra: Record<string, unknown>): Record<string, unknown> =>
    ({ state: 'draining', overrides: { manual_drain: null, drain_file: null, evacuation: { ...ev, ...extra } }, observed: { state: 'up' } })
  t.match(formatStatus(doc({ done_reason: 'sessions_stalled', sessions_note: 'durable ones' })), /\n {4}done: sessions_stalled; durable ones\n/)
  t.match(formatStatus(doc({ done_reason: 'prohibiting', sessions_note: null })), /\n {4}done: prohibiting\n/)
  t.notMatch(formatStatus(doc({ done_reason: null })), /done:/, 'an older sidecar or a running evacuation: nothing')
})
