import t from 'tap'
import pino from 'pino'
import { Writable } from 'node:stream'
import type { AckChecker } from '../../src/checkers/rule.js'
import { awaitAcknowledgement } from '../../src/ack/wait.js'
import type { ArrivalEvidence } from '../../src/ack/evidence.js'
import type { AckWaitProgress } from '../../src/state/evacuation-types.js'

/** a checker that keeps probing: seen "now" at every look */
const SEEN_NOW = Number.MAX_SAFE_INTEGER

function logSink (): { log: pino.Logger, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  return { log: pino({ level: 'info' }, sink), lines }
}

t.test('ends once the checker is told plus the grace, with one log line per stage and the progress shown', async (t) => {
  const { log, lines } = logSink()
  let checkers: AckChecker[] = [{ kind: 'agent', source: '127.0.0.1', userAgent: '', told: false, lastSeen: SEEN_NOW }]
  const shown: AckWaitProgress[] = []
  const startedAt = Date.now()
  const grace = 100
  const run = awaitAcknowledgement({ checkers: { checkers: () => checkers }, settings: { graceMs: grace, expect: 0, maxMs: 60_000 }, startedAt, now: Date.now, signal: new AbortController().signal, log, onProgress: (p) => shown.push(p), tickMs: 10 })
  await new Promise((resolve) => setTimeout(resolve, 30))
  const toldAt = Date.now()
  checkers = [{ kind: 'agent', source: '127.0.0.1', userAgent: '', told: true, lastSeen: SEEN_NOW }]
  const out = await run
  t.equal(out?.endedBy, 'all_told')
  t.ok(Date.now() - toldAt >= grace, 'not before the grace passed')
  t.ok(Date.now() - startedAt < 60_000 / 2, 'far from the maximum')
  t.same(shown.map((p) => p.stage), ['checkers', 'grace', 'ended'])
  t.same(shown[0]?.awaited, ['agent 127.0.0.1'])
  t.same(lines.map((l) => l.event), ['evacuation_awaiting_ack', 'evacuation_ack_grace', 'evacuation_ack_ended'])
})

t.test('a checker never told: ends at the maximum with max_reached, logged as a warning naming it', async (t) => {
  const { log, lines } = logSink()
  const startedAt = Date.now()
  const out = await awaitAcknowledgement({ checkers: { checkers: () => [{ kind: 'http', source: '10.0.0.5', userAgent: '', told: false, lastSeen: SEEN_NOW }] }, settings: { graceMs: 0, expect: 0, maxMs: 150 }, startedAt, now: Date.now, signal: new AbortController().signal, log, onProgress: () => {} })
  t.equal(out?.endedBy, 'max_reached')
  t.ok(Date.now() - startedAt >= 150)
  t.match(lines.at(-1), { event: 'evacuation_ack_ended', level: 40, awaited: ['http 10.0.0.5'] })
})

/** EMQX's CONNECT counter still rising: 7 since the drain began */
const ARRIVING: ArrivalEvidence = {
  verdict: 'arriving',
  source: undefined,
  connects: 7,
  usualRatePerS: 1,
  drainRatePerS: 1,
  drainSince: 0,
  evictionSince: undefined,
  sinceDrain: 7,
  sinceEviction: undefined,
  lastArrivalAt: undefined,
  quietMs: 0,
  windowMs: 5000,
  lastReadAt: undefined,
  error: undefined,
  counter: undefined,
}

/** The wait with one told checker and CONNECTs still ARRIVING, the agent's word `drain`, to its 150 ms bound. */
async function waitWhileArriving (checker: AckChecker, log: ReturnType<typeof logSink>['log']): ReturnType<typeof awaitAcknowledgement> {
  return await awaitAcknowledgement({
    checkers: { checkers: () => [checker] },
    settings: { graceMs: 0, expect: 0, maxMs: 150 },
    startedAt: Date.now(),
    now: Date.now,
    signal: new AbortController().signal,
    log,
    onProgress: () => {},
    arrivals: () => ARRIVING,
    drainWord: 'drain',
  })
}

t.test('CONNECTs going on after the agent was told: the arrivals line and the warning name stickiness and the recipe', async (t) => {
  const { log, lines } = logSink()
  const agent: AckChecker = { kind: 'agent', source: '127.0.0.1', userAgent: '', told: true, lastSeen: SEEN_NOW }
  const out = await waitWhileArriving(agent, log)
  t.equal(out?.endedBy, 'max_reached')
  const quiet = lines.find((l) => l.event === 'evacuation_ack_arrivals')
  t.match(quiet, { likelyCause: 'stickiness', recipe: 'haproxy/haproxy-sticky.cfg', msg: /--agent-drain-word drain.*haproxy-sticky\.cfg/ })
  const warned = lines.find((l) => l.event === 'evacuation_ack_arrivals_went_on')
  t.match(warned, { level: 40, likelyCause: 'stickiness', msg: /7 CONNECTs .*stickiness.*haproxy\/haproxy-sticky\.cfg/ })
})

t.test('an HTTP-only setup gets no stickiness hint (a DOWN server\'s stick entries are ignored)', async (t) => {
  const { log, lines } = logSink()
  const http: AckChecker = { kind: 'http', source: '127.0.0.1', userAgent: '', told: true, lastSeen: SEEN_NOW }
  await waitWhileArriving(http, log)
  const warned = lines.find((l) => l.event === 'evacuation_ack_arrivals_went_on')
  t.ok(warned !== undefined, 'still warned')
  t.equal(warned?.likelyCause, undefined)
  t.notMatch(warned?.msg, /stick/)
})

t.test('aborting (stop, shutdown) ends the wait with undefined', async (t) => {
  const { log } = logSink()
  const ac = new AbortController()
  const run = awaitAcknowledgement({ checkers: { checkers: () => [] }, settings: { graceMs: 0, expect: 1, maxMs: 60_000 }, startedAt: Date.now(), now: Date.now, signal: ac.signal, log, onProgress: () => {} })
  ac.abort()
  t.equal(await run, undefined)
})
