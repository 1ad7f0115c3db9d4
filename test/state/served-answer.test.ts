import t from 'tap'
import { agentReply } from '../../src/agent/words.js'
import { AGENT_DRAIN_WORDS } from '../../src/config/serve-listener-options.js'
import { probeAnswer } from '../../src/http/listeners/probe.js'
import { statusDocument } from '../../src/http/views/status.js'
import { NODE_STATES, servedAnswer } from '../../src/state/model.js'
import { moveTo } from '../../src/state/move.js'
import { initialSnapshot } from '../../src/state/transition.js'

t.test('one decision: HTTP, agent-check and /status all follow servedAnswer for every state', async (t) => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  for (const state of NODE_STATES) {
    const s = moveTo(initialSnapshot(now), state, state === 'up' ? 'emqx_available' : 'emqx_unavailable', 'test', now + 1)
    const a = servedAnswer(s)
    t.equal(a.status, state === 'up' ? 200 : 503, `${state}: 200 only when up`)
    t.equal(probeAnswer(s).status, a.status, `${state}: the HTTP probe answer`)
    for (const w of AGENT_DRAIN_WORDS) t.equal(agentReply(s, w).word === 'ready', a.available, `${state}: the agent word is ready exactly when HTTP says 200 (${w})`)
    t.equal(statusDocument(s, now).available, a.available, `${state}: /status available`)
    t.match(JSON.parse(probeAnswer(s).body), { state: a.state, reason: a.reason })
  }
})
