import t from 'tap'
import { agentReply } from '../../src/agent/words.js'
import type { NodeState, Reason, Snapshot } from '../../src/state/model.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { moveTo } from '../../src/state/move.js'

const snap = (state: NodeState, reason: Reason): Snapshot => moveTo(initialSnapshot(0), state, reason, 'm', 1)

t.test('each state maps to the words HAProxy needs', async (t) => {
  t.same(agentReply(snap('up', 'emqx_available')), { word: 'ready', line: 'up ready #up emqx_available' })
  t.same(agentReply(snap('draining', 'emqx_unavailable')), { word: 'drain', line: 'up drain #draining emqx_unavailable' })
  t.same(agentReply(snap('down', 'emqx_refused')), { word: 'down', line: 'down #down emqx_refused' })
  t.same(agentReply(initialSnapshot(0)), { word: 'down', line: 'down #starting awaiting_first_check' })
  t.same(agentReply(snap('stopping', 'shutdown')), { word: 'drain', line: 'drain #stopping shutdown' })
})

t.test('a reply is one line and its description cannot add words', async (t) => {
  for (const state of ['up', 'draining', 'down', 'starting', 'stopping'] as const) {
    const weird = { ...snap(state, 'emqx_available'), reason: 'x y,z#\r\nmaint' as Reason }
    const { line } = agentReply(weird)
    t.notMatch(line, /[\r\n]/, state)
    const [words, description] = line.split('#')
    t.notMatch(words, /maint/, 'no admin word outside the description')
    t.equal(description?.split(/[ \t,]/).length, 2, 'description is state + one token')
  }
})
