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
