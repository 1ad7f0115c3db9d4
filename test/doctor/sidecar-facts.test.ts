import t from 'tap'
import { agentDrainKeepsStickyClients, agentDrainWords, PROBE_PATHS } from '../../src/doctor/sidecar-facts.js'
import { AVAILABILITY_PATHS } from '../../src/http/listeners/probe.js'
import { AGENT_DRAIN_WORDS } from '../../src/config/serve-listener-options.js'

t.test('the stickiness rule is keyed on the agent\'s drain word, as measured (haproxy/README.md "Stickiness and drains")', async (t) => {
  t.equal(agentDrainKeepsStickyClients(['up', 'drain']), true, 'DRAIN honours stick entries')
  t.equal(agentDrainKeepsStickyClients(['drain']), true)
  t.equal(agentDrainKeepsStickyClients(['up', 'maint']), false, 'MAINT ignores them')
  t.equal(agentDrainKeepsStickyClients(['down']), false, 'DOWN ignores them')
  t.equal(agentDrainKeepsStickyClients(['up', 'ready']), false)
})

t.test('the words and paths come from the sidecar itself', async (t) => {
  for (const word of AGENT_DRAIN_WORDS) {
    const words = agentDrainWords(word)
    t.ok(words.length > 0 && words.every((w) => /^[a-z0-9%:]+$/.test(w)), `the draining reply's words: ${words.join(' ')}`)
    t.notOk(words.includes('ready'), 'a draining node is never told ready')
    t.equal(agentDrainKeepsStickyClients(words), word === 'drain', `--agent-drain-word ${word}: ${word === 'drain' ? 'keeps' : 'moves'} sticky clients`)
  }
  t.equal(PROBE_PATHS, AVAILABILITY_PATHS)
})
