import t from 'tap'
import { canAcknowledge, decideAck, nextLookAt, type AckMemory } from '../../src/ack/decide.js'
import { checkerId, type AckChecker } from '../../src/checkers/rule.js'

/** a checker that keeps probing: seen "now" at every look */
const SEEN_NOW = Number.MAX_SAFE_INTEGER

const S = { graceMs: 1000, expect: 0, maxMs: 60_000 }
const M: AckMemory = { startedAt: 0, everSeen: false }
const agent = (told: boolean, source = '10.0.0.9'): AckChecker => ({ kind: 'agent', source, userAgent: '', told, lastSeen: SEEN_NOW })
const http = (told: boolean): AckChecker => ({ kind: 'http', source: '10.0.0.5', userAgent: 'kube-probe/1.29', told, lastSeen: SEEN_NOW })

t.test('every checker told: the grace, then the end, long before the maximum', async (t) => {
  let d = decideAck(S, M, [agent(false)], 100)
  t.match(d, { done: false, stage: 'checkers', known: 1, told: 0, awaited: ['agent 10.0.0.9'] })
  d = decideAck(S, d.memory, [agent(true)], 700)
  t.match(d, { done: false, stage: 'grace', told: 1, awaited: [] })
  t.equal(d.memory.allToldAt, 700, 'the grace counts from the first look that saw everyone told')
  t.equal(nextLookAt(S, d, 700, 50), 750)
  t.match(decideAck(S, d.memory, [agent(true)], 1699), { done: false, stage: 'grace' })
  t.match(decideAck(S, d.memory, [agent(true)], 1700), { done: true, endedBy: 'all_told' })
})

t.test('one checker not told holds the wait to the maximum, and is named', async (t) => {
  const d = decideAck(S, M, [agent(true), http(false)], 100)
  t.match(d, { done: false, stage: 'checkers', known: 2, told: 1, awaited: ['http 10.0.0.5 "kube-probe/1.29"'] })
  t.equal(nextLookAt(S, d, 59_990, 50), 60_000, 'never looks past the maximum')
  t.match(decideAck(S, d.memory, [agent(true), http(false)], 60_000), { done: true, endedBy: 'max_reached', awaited: ['http 10.0.0.5 "kube-probe/1.29"'] })
})

t.test('a checker appearing during the wait joins it; the grace starts over once it is told', async (t) => {
  let d = decideAck(S, M, [agent(true)], 100)
  t.equal(d.memory.allToldAt, 100)
  d = decideAck(S, d.memory, [agent(true), agent(false, '10.0.0.10')], 600)
  t.match(d, { done: false, stage: 'checkers', awaited: ['agent 10.0.0.10'] })
  t.equal(d.memory.allToldAt, undefined)
  d = decideAck(S, d.memory, [agent(true), agent(true, '10.0.0.10')], 1200)
  t.match(decideAck(S, d.memory, [agent(true), agent(true, '10.0.0.10')], 2199), { done: false })
  t.match(decideAck(S, d.memory, [agent(true), agent(true, '10.0.0.10')], 2200), { done: true, endedBy: 'all_told' })
})

t.test('fewer checkers than --expect-checkers never shorten the wait', async (t) => {
  const s = { ...S, expect: 2 }
  let d = decideAck(s, M, [agent(true)], 100)
  t.match(d, { done: false, stage: 'checkers', known: 1, told: 1 })
  t.match(decideAck(s, d.memory, [agent(true)], 59_999), { done: false })
  t.match(decideAck(s, d.memory, [agent(true)], 60_000), { done: true, endedBy: 'max_reached' })
  d = decideAck(s, d.memory, [agent(true), http(true)], 200)
  t.match(d, { done: false, stage: 'grace' }, 'the second one arrives and is told: now it may end early')
})

t.test('no checker at all: the whole wait, ended as no_checkers; one that went away (TTL) does not block', async (t) => {
  const s = { ...S, expect: 1 }
  t.match(decideAck(s, M, [], 60_000), { done: true, endedBy: 'no_checkers', known: 0 })
  const seen = decideAck(S, M, [agent(false)], 100)
  t.match(decideAck(S, seen.memory, [], 60_000), { done: true, endedBy: 'max_reached' }, 'once seen, its absence is not "no checkers"')
  t.match(decideAck(S, seen.memory, [], 30_000), { done: false, stage: 'checkers', known: 0 }, 'and an empty list never counts as all told')
})

t.test('canAcknowledge: nothing to confirm without checkers and without --expect-checkers', async (t) => {
  t.equal(canAcknowledge([], 0, 0), false)
  t.equal(canAcknowledge([], 1, 0), true)
  t.equal(canAcknowledge([agent(false)], 0, 0), true)
  t.equal(checkerId(agent(false)), 'agent 10.0.0.9')
})
