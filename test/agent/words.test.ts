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

t.test('--agent-ramp: an available node\'s weight rises from 10% to 100% over the ramp, measured from the moment it turned up', async (t) => {
  const up = moveTo(initialSnapshot(0), 'up', 'emqx_available', 'm', 1_000)
  t.equal(up.since, 1_000)
  t.same(agentReply(up, 'maint', 1_000, 20_000), { word: 'ready', line: 'up ready 10% #up emqx_available' }, 'at the turn: 10%')
  t.equal(agentReply(up, 'maint', 11_000, 20_000).line, 'up ready 55% #up emqx_available', 'half way: 55%')
  t.equal(agentReply(up, 'maint', 20_999, 20_000).line, 'up ready 99% #up emqx_available')
  t.equal(agentReply(up, 'maint', 21_000, 20_000).line, 'up ready 100% #up emqx_available', 'the end: 100%, still sent (HAProxy keeps the last weight set)')
  t.equal(agentReply(up, 'maint', 99_000_000, 20_000).line, 'up ready 100% #up emqx_available')
  t.equal(agentReply(up, 'maint', 11_000, 0).line, 'up ready #up emqx_available', 'ramp off: no weight at all')
  let last = 0
  for (let at = 1_000; at <= 22_000; at += 137) {
    const w = Number(/ (\d+)% /.exec(agentReply(up, 'maint', at, 20_000).line)?.[1])
    t.ok(w >= last && w >= 10 && w <= 100, `non-decreasing within 10..100 (${w} at ${at})`)
    last = w
  }
  t.equal(agentReply(up, 'maint', 500, 20_000).line, 'up ready 10% #up emqx_available', 'a clock behind since never goes below 10%')
})

t.test('--agent-ramp never weighs a node that is not available, and starts again at every return', async (t) => {
  for (const state of ['draining', 'down', 'starting', 'stopping'] as const) {
    t.notMatch(agentReply(snap(state, 'emqx_unavailable'), 'maint', 5_000, 20_000).line, /%/, `${state}: no weight`)
  }
  const up = moveTo(initialSnapshot(0), 'up', 'emqx_available', 'm', 1_000)
  const drained = moveTo(up, 'draining', 'not_in_cluster', 'm', 30_000)
  const back = moveTo(drained, 'up', 'emqx_available', 'm', 40_000)
  t.equal(agentReply(back, 'maint', 40_000, 20_000).line, 'up ready 10% #up emqx_available', 'back from a drain: 10% again')
  const reason = moveTo(back, 'up', 'emqx_available', 'other message', 45_000)
  t.equal(agentReply(reason, 'maint', 45_000, 20_000).line, 'up ready 32% #up emqx_available', 'a new message while up does not restart the ramp')
})
