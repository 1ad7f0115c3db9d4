import t from 'tap'
import type { AckChecker } from '../../src/checkers/rule.js'
import { STICKY_RECIPE, stickinessHint } from '../../src/ack/stickiness-hint.js'

const checker = (kind: string, told: boolean): AckChecker => ({ kind, source: '10.0.0.9', userAgent: '', told, lastSeen: 0 })

t.test('stickiness is named only once an agent checker was told', async (t) => {
  t.equal(stickinessHint([], 'maint'), undefined, 'no checker')
  t.equal(stickinessHint([checker('http', true)], 'drain'), undefined, 'HTTP checkers only: an httpchk DOWN ignores stick entries')
  t.equal(stickinessHint([checker('agent', false)], 'drain'), undefined, 'the agent not told yet')
})

t.test('with --agent-drain-word drain the hint says the sidecar\'s own word is the likely cause; with maint, another DRAIN', async (t) => {
  const drain = stickinessHint([checker('http', false), checker('agent', true)], 'drain')
  t.match(drain, /likely cause is stickiness/)
  t.match(drain, /--agent-drain-word drain/)
  t.match(drain, /answer maint/)
  t.ok(drain?.endsWith(STICKY_RECIPE), 'points to the recipe')
  const maint = stickinessHint([checker('agent', true)], 'maint')
  t.match(maint, /likely cause is stickiness/)
  t.match(maint, /set server \.\.\. state drain/)
  t.notMatch(maint, /--agent-drain-word drain/, 'does not blame a word the sidecar does not answer')
  t.ok(maint?.endsWith(STICKY_RECIPE))
})
