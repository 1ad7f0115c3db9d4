import t from 'tap'
import { transitionKey, transitionView } from '../../../src/http/views/transitions.js'
import type { Snapshot } from '../../../src/state/model.js'
import type { EvacuationProgress } from '../../../src/state/evacuation-types.js'
import { moveTo } from '../../../src/state/move.js'
import { setOverride } from '../../../src/state/overrides.js'
import { initialSnapshot } from '../../../src/state/transition.js'

const T0 = Date.parse('2026-01-01T00:00:00Z')
const up = moveTo({ ...initialSnapshot(T0), observed: { state: 'up', reason: 'emqx_available', message: 'EMQX 200' } },
  'up', 'emqx_available', 'EMQX 200', T0 + 1000)
const evacuation = (phase: EvacuationProgress['phase']): EvacuationProgress => ({ phase, by: '127.0.0.1', startedAt: T0, deadlineAt: T0 + 60_000 })

t.test('the cause of each kind of transition', async (t) => {
  const cases: Array<[string, Snapshot, string | RegExp]> = [
    ['start-up', initialSnapshot(T0), 'The sidecar started'],
    ['EMQX', up, 'EMQX answered: available'],
    ['EMQX 503', moveTo(up, 'draining', 'emqx_unavailable', 'donor', T0 + 2000), 'EMQX answered 503: a rebalance, an evacuation or a purge began'],
    ['EMQX 503, an evacuation known', { ...moveTo(up, 'draining', 'emqx_unavailable', 'donor', T0 + 2000), rebalance: { status: 'enabled', process: 'evacuation' } },
      'EMQX answered 503: EMQX is evacuating this node'],
    ['EMQX 503, a rebalance known', { ...moveTo(up, 'draining', 'emqx_unavailable', 'donor', T0 + 2000), rebalance: { status: 'enabled', process: 'rebalance' } },
      'EMQX answered 503: this node is a rebalance donor'],
    ['EMQX failing', moveTo(up, 'down', 'emqx_timeout', 'timeout', T0 + 2000), 'EMQX does not answer in time'],
    ['manual drain', setOverride(up, 'manualDrain', { since: T0 + 2000, by: '10.0.0.1' }, T0 + 2000), 'Drained by hand (by 10.0.0.1)'],
    ['drain file', setOverride(up, 'drainFile', { since: T0 + 2000, by: 'file' }, T0 + 2000), 'The drain file appeared'],
    ['evacuation', setOverride(up, 'evacuation', evacuation('awaiting_ack'), T0 + 2000),
      'Evacuation through the sidecar: waiting until every load balancer has been told'],
    ['stopping', moveTo(up, 'stopping', 'shutdown', 'SIGTERM', T0 + 2000), 'The sidecar is stopping'],
  ]
  for (const [what, s, cause] of cases) t.equal(transitionView(s, true, T0 + 5000).cause, cause, what)
  for (const [what, s] of cases) t.notMatch(transitionView(s, true, T0 + 5000).cause, /[a-z]_[a-z]/, `${what}: words, no snake_case`)
})

t.test('an evacuation phase or a drain switch is a transition even when the state stays', async (t) => {
  const starting = setOverride(up, 'evacuation', evacuation('starting'), T0 + 2000)
  const running = setOverride(starting, 'evacuation', { ...evacuation('running'), connections: 10 }, T0 + 3000)
  const fewer = setOverride(running, 'evacuation', { ...evacuation('running'), connections: 5 }, T0 + 4000)
  t.equal(starting.state, running.state, 'both draining')
  t.not(transitionKey(starting), transitionKey(running), 'a new phase')
  t.equal(transitionKey(running), transitionKey(fewer), 'fewer connections is progress')
  const v = transitionView(running, false, T0 + 3500)
  t.equal(v.at, new Date(T0 + 3500).toISOString(), 'seen now: the state did not move')
  t.equal(v.evacuation_phase, 'running')
  t.equal(transitionView(starting, true, T0 + 9999).at, new Date(starting.since).toISOString(), 'a state move: its since')
})
