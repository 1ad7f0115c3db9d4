import { readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import pino from 'pino'
import { ackPort } from '../../src/ack/wait.js'
import { DrainAcknowledgement } from '../../src/ack/drain.js'
import { RebalanceAckWatch } from '../../src/ack/rebalance-watch.js'
import { countAck, fallOf, NGINX_SYNC_USER_AGENT } from '../../src/checkers/rule.js'
import { CheckerTracker } from '../../src/checkers/tracker.js'
import { buildApp } from '../../src/http/listeners/app.js'
import { createMetrics } from '../../src/metrics/registry.js'
import type { AckWaitProgress } from '../../src/state/evacuation-types.js'
import { moveTo } from '../../src/state/move.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { readImportGraph } from '../support/import-graph.js'
import { listenApp } from '../support/listen-app.js'
import { scrape } from '../support/metrics-text.js'
import { openEvents } from '../support/sse-client.js'
import { TestStore } from '../support/test-store.js'

// Every reader of "told" takes it from src/checkers/rule.ts: the same drain, read by /status, the metrics, the
// acknowledged evacuation's wait, the rebalance watch and the live page's event stream, gives the rule's counts.

const src = fileURLToPath(new URL('../../src', import.meta.url))
const LB = 'http 10.0.0.5 "HAProxy"'

interface CheckerDoc { kind: string, source: string, user_agent: string, told: boolean, told_at: string | null }
interface StatusDoc {
  checkers: CheckerDoc[]
  drain_acknowledgement: { checkers_told: number, checkers_active: number, acknowledged: boolean }
}

t.test('status, metrics, the ack wait, the rebalance watch and the live page all count told by the one rule', async (t) => {
  const store = new TestStore(initialSnapshot(Date.now()))
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'info' }, new Writable({ write (c: Buffer, _e, cb) { lines.push(JSON.parse(c.toString()) as Record<string, unknown>); cb() } }))
  // --checker-fall 3: HAProxy's httpchk needs 3 drain answers, nginx-sync (its User-Agent) 1, the agent 1
  const tracker: CheckerTracker = new CheckerTracker({
    maxCheckers: 10, ttlMs: 60_000, checkerFall: 3, budgetMs: 60_000, onTold: (at) => { drainAck.checkerTold(at) },
  })
  const drainAck = new DrainAcknowledgement({ store, tracker, expect: 0 })
  const rebalance = new RebalanceAckWatch({ store, checkers: tracker, expectCheckers: 0, log })
  const metrics = createMetrics(store, { tracker, drainAck, rebalanceAck: rebalance })
  const app = buildApp({ store, metrics, log: pino({ level: 'silent' }), tracker, drainAck })
  const port = await listenApp(t, app)
  const url = `http://127.0.0.1:${port}`

  const t0 = Date.now()
  store.update((s) => moveTo(s, 'up', 'emqx_available', 'test', t0))
  store.update((s) => ({ ...s, rebalance: { status: 'enabled', process: 'rebalance', state: 'wait_health_check' } }))
  const probe = (source: string, kind: 'http' | 'agent', userAgent: string | undefined, available: boolean, at: number): void => {
    tracker.observe({ source, kind, userAgent, available, answer: available ? 'ok' : 'no', at })
  }
  probe('10.0.0.5', 'http', 'HAProxy', true, t0)
  probe('10.0.0.6', 'http', NGINX_SYNC_USER_AGENT, true, t0)
  probe('10.0.0.7', 'agent', undefined, true, t0)
  store.update((s) => moveTo(s, 'draining', 'emqx_unavailable', 'test', t0 + 1))
  for (const at of [t0 + 2, t0 + 3]) probe('10.0.0.5', 'http', 'HAProxy', false, at)
  probe('10.0.0.6', 'http', NGINX_SYNC_USER_AGENT, false, t0 + 2)
  probe('10.0.0.7', 'agent', undefined, false, t0 + 2)

  t.same([fallOf('http', 'HAProxy', 3), fallOf('http', NGINX_SYNC_USER_AGENT, 3), fallOf('agent', '', 3)], [3, 1, 1], 'the rule\'s falls')

  /** What every consumer shows now, each read its own way. */
  const readAll = async () => {
    const now = Date.now()
    const rule = countAck(tracker.checkers(now), 0, now)
    const status = await (await fetch(`${url}/status`)).json() as StatusDoc
    const samples = await scrape(url)
    const events = await openEvents(port)
    const live = JSON.parse((await events.next((e) => e.event === 'status', 2000, 'the live page\'s status')).data) as StatusDoc
    events.close()
    const page = await (await fetch(`${url}/ui`)).text()
    let progress: AckWaitProgress | undefined
    const abort = new AbortController()
    await ackPort({ checkers: tracker, graceMs: 60_000, expect: 0, log }).wait({
      startedAt: now, maxMs: 60_000, signal: abort.signal, onProgress: (p) => { progress = p; abort.abort() },
    })
    return { rule, status, samples, live, page, progress }
  }

  const before = await readAll()
  t.same({ told: before.rule.told, expected: before.rule.expected, awaited: before.rule.awaited }, { told: 2, expected: 3, awaited: [LB] },
    'the rule: nginx-sync and the agent told after one drain answer, HAProxy not after two of three')
  for (const [name, doc] of [['/status', before.status], ['the live page', before.live]] as const) {
    t.same(doc.checkers.filter((c) => c.told).map((c) => c.source).sort(), ['10.0.0.6', '10.0.0.7'], `${name}: the checkers told`)
    t.ok(doc.checkers.every((c) => (c.told_at !== null) === c.told), `${name}: told_at exactly where told`)
    t.match(doc.drain_acknowledgement, { checkers_told: 2, checkers_active: 3, acknowledged: false }, `${name}: the drain acknowledgement`)
  }
  t.match(before.page, /2 of 3 checkers told/, 'the live page: 2 of 3 told')
  t.equal(before.samples.get('emqx_lb_sidecar_drain_checkers_told'), 2, 'metrics: told')
  t.equal(before.samples.get('emqx_lb_sidecar_drain_checkers_active'), 3, 'metrics: active')
  t.equal(before.samples.get('emqx_lb_sidecar_drain_acknowledged'), 0, 'metrics: not acknowledged')
  t.match(before.progress, { stage: 'checkers', known: 3, told: 2, awaited: [LB] }, 'the acknowledged evacuation waits for HAProxy')
  store.update((s) => ({ ...s, rebalance: { status: 'enabled', process: 'rebalance', state: 'evicting_conns' } }))
  t.equal(rebalance.unacknowledged, 1, 'the rebalance watch: evicted before HAProxy was told')
  t.match(lines.find((l) => l.event === 'rebalance_unacknowledged_eviction'), { awaited: [LB] }, 'the rebalance watch names HAProxy')

  probe('10.0.0.5', 'http', 'HAProxy', false, t0 + 4)
  const after = await readAll()
  t.match(after.rule, { told: 3, expected: 3, acknowledged: true }, 'the rule: the third drain answer tells HAProxy')
  for (const [name, doc] of [['/status', after.status], ['the live page', after.live]] as const) {
    t.ok(doc.checkers.every((c) => c.told && c.told_at !== null), `${name}: every checker told`)
    t.match(doc.drain_acknowledgement, { checkers_told: 3, checkers_active: 3, acknowledged: true }, `${name}: acknowledged`)
  }
  t.match(after.page, /Drain acknowledged: all 3 checkers told/, 'the live page: acknowledged')
  t.equal(after.samples.get('emqx_lb_sidecar_drain_acknowledged'), 1, 'metrics: acknowledged')
  t.match(after.progress, { stage: 'grace', told: 3, awaited: [] }, 'the acknowledged evacuation: every checker told, the grace begins')
  store.update((s) => ({ ...s, rebalance: { status: 'enabled', process: 'rebalance', state: 'wait_health_check' } }))
  store.update((s) => ({ ...s, rebalance: { status: 'enabled', process: 'rebalance', state: 'evicting_conns' } }))
  t.equal(rebalance.unacknowledged, 1, 'the rebalance watch: a donor evicted once every checker was told is not counted')
})

t.test('the live page draws told from the document (told, told_at, checkers_told), computing nothing of its own', async (t) => {
  const panel = readFileSync(`${src}/http/views/ui-checkers.ts`, 'utf8')
  t.match(panel, /c\.told_at/, 'the time a checker was told comes from /status')
  t.match(panel, /c\.told === true/)
  t.match(panel, /a\.checkers_told/)
  t.notMatch(panel, /drain_answers[^,)]*>=|>=\s*c\.fall/, 'no told computed from drain answers and fall')
})

t.test('only src/checkers/rule.ts compares drain answers with a fall, and every consumer reaches it', async (t) => {
  const graph = readImportGraph(src)
  const comparing = [...graph.files.keys()].filter((f) => /drainAnswers\s*>=|>=\s*\w*\.?fall\b/.test(readFileSync(`${src}/${f}`, 'utf8')))
  t.same(comparing, ['checkers/rule.ts'])
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true
    if (seen.has(from)) return false
    seen.add(from)
    return (graph.files.get(from) ?? []).some((next) => reaches(next, to, seen))
  }
  const consumers = ['checkers/tracker.ts', 'http/views/status.ts', 'metrics/checkers.ts', 'ack/wait.ts', 'ack/rebalance-watch.ts', 'http/listeners/app.ts']
  for (const c of consumers) t.ok(graph.files.has(c) && reaches(c, 'checkers/rule.ts'), `${c} imports the rule (directly or through what it reads; app.ts renders the live page's stream)`)
})
