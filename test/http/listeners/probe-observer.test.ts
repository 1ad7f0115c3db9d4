import t from 'tap'
import { countAck } from '../../../src/checkers/rule.js'
import pino from 'pino'
import { buildApp } from '../../../src/http/listeners/app.js'
import { userAgent } from '../../../src/http/listeners/probe.js'
import { createMetrics } from '../../../src/metrics/registry.js'
import { CheckerTracker } from '../../../src/checkers/tracker.js'
import { TestStore as Store } from '../../support/test-store.js'
import { keepAlive } from '../../support/keep-alive-client.js'
import { listenApp } from '../../support/listen-app.js'
import { initialSnapshot } from '../../../src/state/transition.js'
import { moveTo } from '../../../src/state/move.js'

/** The app on a loopback port, its tracker counting how often a checker is identified from scratch. */
async function setup (t: { teardown: (fn: () => unknown) => void, fail: (m: string) => void }, maxCheckers = 10) {
  const store = new Store(initialSnapshot(Date.now()))
  const tracker = new CheckerTracker({ maxCheckers, ttlMs: 60_000, checkerFall: 3, budgetMs: 10_000 })
  const counts = { observe: 0, observeAgain: 0 }
  const observe = tracker.observe.bind(tracker)
  const observeAgain = tracker.observeAgain.bind(tracker)
  tracker.observe = (o) => { counts.observe++; return observe(o) }
  tracker.observeAgain = (...a) => { counts.observeAgain++; return observeAgain(...a) }
  const metrics = createMetrics(store, { tracker })
  const app = buildApp({ store, metrics, log: pino({ level: 'silent' }), tracker })
  const port = await listenApp(t, app)
  const set = (state: 'up' | 'draining'): void => { store.update((s) => moveTo(s, state, state === 'up' ? 'emqx_available' : 'emqx_unavailable', 'test', Date.now())) }
  return { tracker, counts, port, set }
}

/** One keep-alive connection sending probes one at a time; resolves each answer's status. */
async function keepAliveProbes (port: number): Promise<{ get: (headers?: string) => Promise<number>, close: () => void }> {
  const c = await keepAlive(port)
  return { get: async (headers = '') => (await c.send(`GET /availability HTTP/1.1\r\nHost: x\r\n${headers}\r\n`)).status, close: c.close }
}

t.test('a keep-alive checker is identified once per connection and every probe is still recorded', async (t) => {
  const { tracker, counts, port, set } = await setup(t)
  set('up')
  const c = await keepAliveProbes(port)
  t.teardown(c.close)
  for (let i = 0; i < 5; i++) t.equal(await c.get('User-Agent: HAProxy\r\n'), 200)
  t.equal(counts.observe, 1, 'identified (key built, tracker looked up) on the first probe only')
  t.equal(counts.observeAgain, 4, 'the later probes go to the remembered checker')
  const [checker] = tracker.checkers(Date.now())
  t.equal(tracker.size, 1)
  t.match(checker, { source: '127.0.0.1', kind: 'http', userAgent: 'HAProxy', probes: 5, lastAnswer: '200' }, 'all five probes counted')

  // drain: answers on the remembered checker count toward `fall` and the acknowledgement
  set('draining')
  tracker.drainStarted(Date.now())
  for (let i = 0; i < 3; i++) t.equal(await c.get('User-Agent: HAProxy\r\n'), 503, 'the very next probe after the snapshot change gets the drain answer')
  t.match(tracker.checkers(Date.now())[0], { probes: 8, lastAnswer: '503', drainAnswers: 3, told: true }, 'drain answers counted per probe')
  t.equal(countAck(tracker.checkers(Date.now()), 0, Date.now()).acknowledged, true, 'all checkers told: acknowledged')
  t.equal(counts.observe, 1, 'still identified only once')
})

t.test('a changed user agent on the same connection is a different checker', async (t) => {
  const { tracker, counts, port, set } = await setup(t)
  set('up')
  const c = await keepAliveProbes(port)
  t.teardown(c.close)
  await c.get('User-Agent: kube-probe/1.30\r\n')
  await c.get('User-Agent: kube-probe/1.30\r\n')
  await c.get('User-Agent: other\r\n')
  await c.get('')
  t.equal(counts.observe, 3, 'identified again on each change')
  const byUa = new Map(tracker.checkers(Date.now()).map((x) => [x.userAgent, x.probes]))
  t.same(Object.fromEntries(byUa), { 'kube-probe/1.30': 2, other: 1, '': 1 })
})

t.test('a checker dropped from the tracker is identified again on its next probe', async (t) => {
  const { tracker, counts, port, set } = await setup(t, 1)
  set('up')
  const a = await keepAliveProbes(port)
  const b = await keepAliveProbes(port)
  t.teardown(() => { a.close(); b.close() })
  await a.get('User-Agent: a\r\n')
  await b.get('User-Agent: b\r\n')
  t.equal(tracker.evicted, 1, 'a evicted by b (maxCheckers 1)')
  await a.get('User-Agent: a\r\n')
  t.equal(counts.observe, 3, 'a identified from scratch again')
  t.match(tracker.checkers(Date.now()), [{ userAgent: 'a', probes: 1 }], 'a is tracked again, b evicted in turn')
})

t.test('userAgent() reads the raw headers as req.headers would', async (t) => {
  t.equal(userAgent(['Host', 'x', 'USER-AGENT', 'HAProxy', 'user-agent', 'second']), 'HAProxy', 'case-insensitive, first of duplicates')
  t.equal(userAgent(['Host', 'x', 'user-agents', 'no']), undefined, 'exact name only')
  t.equal(userAgent([]), undefined)
})
