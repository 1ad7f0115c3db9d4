import t from 'tap'
import { AGENT_WORDS, agentReply } from '../../src/agent/words.js'
import { AGENT_DRAIN_WORDS } from '../../src/config/serve-listener-options.js'
import type { NodeState, Reason, Snapshot } from '../../src/state/model.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { moveTo } from '../../src/state/move.js'

const snap = (state: NodeState, reason: Reason): Snapshot => moveTo(initialSnapshot(0), state, reason, 'm', 1)

t.test('each state maps to the words HAProxy needs: maint by default, so stick tables cannot send clients back', async (t) => {
  t.same(agentReply(snap('up', 'emqx_available'), 'maint'), { word: 'ready', line: 'up ready #up emqx_available' })
  t.same(agentReply(snap('draining', 'emqx_unavailable'), 'maint'), { word: 'maint', line: 'up maint #draining emqx_unavailable' })
  t.same(agentReply(snap('draining', 'manual_drain'), 'maint'), { word: 'maint', line: 'up maint #draining manual_drain' })
  t.same(agentReply(snap('down', 'emqx_refused'), 'maint'), { word: 'down', line: 'down #down emqx_refused' })
  t.same(agentReply(initialSnapshot(0), 'maint'), { word: 'down', line: 'down #starting awaiting_first_check' })
  t.same(agentReply(snap('stopping', 'shutdown'), 'maint'), { word: 'maint', line: 'maint #stopping shutdown' })
})

t.test('--agent-drain-word drain answers HAProxy DRAIN for draining and stopping, nothing else changes', async (t) => {
  t.same(agentReply(snap('up', 'emqx_available'), 'drain'), { word: 'ready', line: 'up ready #up emqx_available' })
  t.same(agentReply(snap('draining', 'emqx_unavailable'), 'drain'), { word: 'drain', line: 'up drain #draining emqx_unavailable' })
  t.same(agentReply(snap('down', 'emqx_refused'), 'drain'), { word: 'down', line: 'down #down emqx_refused' })
  t.same(agentReply(snap('stopping', 'shutdown'), 'drain'), { word: 'drain', line: 'drain #stopping shutdown' })
})

t.test('every drain word is an agent word (the probes metric starts each at 0)', async (t) => {
  for (const w of AGENT_DRAIN_WORDS) t.ok(AGENT_WORDS.includes(w), w)
})

t.test('a reply is one line and its description cannot add words', async (t) => {
  for (const drain of AGENT_DRAIN_WORDS) {
    for (const state of ['up', 'draining', 'down', 'starting', 'stopping'] as const) {
      const weird = { ...snap(state, 'emqx_available'), reason: 'x y,z#\r\nmaint ready' as Reason }
      const { line } = agentReply(weird, drain)
      t.notMatch(line, /[\r\n]/, state)
      const [words, description] = line.split('#')
      const clean = agentReply({ ...weird, reason: 'emqx_available' }, drain).line.split('#')[0]
      t.equal(words, clean, `${drain}/${state}: the words are the state's, none from the description`)
      t.equal(description?.split(/[ \t,]/).length, 2, 'description is state + one token')
    }
  }
})
