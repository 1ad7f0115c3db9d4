import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { createServer } from 'node:http'
import t from 'tap'
import pino from 'pino'
import { request } from 'undici'
import { buildApp } from '../../../src/http/listeners/app.js'
import { EventStreams } from '../../../src/http/routes/event-stream.js'
import { createMetrics } from '../../../src/metrics/registry.js'
import { moveTo } from '../../../src/state/move.js'
import type { NodeState } from '../../../src/state/model.js'
import { initialSnapshot } from '../../../src/state/transition.js'
import { loadServeConfig } from '../../../src/config/serve-config.js'
import { listenApp } from '../../support/listen-app.js'
import { scrape } from '../../support/metrics-text.js'
import { openEvents, type SseEvent } from '../../support/sse-client.js'
import { TestStore } from '../../support/test-store.js'
import { waitFor } from '../../support/wait.js'

interface Setup { maxClients?: number, heartbeatMs?: number, progressMs?: number }

async function setup (t: { teardown: (fn: () => unknown) => void }, o: Setup = {}) {
  const store = new TestStore(initialSnapshot(Date.now()))
  const metrics = createMetrics(store)
  const app = buildApp({ store, metrics, log: pino({ level: 'silent' }), events: { maxClients: o.maxClients ?? 4, ...o } })
  const port = await listenApp(t, app)
  const set = (state: NodeState, message = 'test'): void => {
    store.update((s) => moveTo(s, state, state === 'up' ? 'emqx_available' : 'emqx_unavailable', message, Date.now()))
  }
  const streams = async (): Promise<number | undefined> => (await scrape(`http://127.0.0.1:${port}`)).get('emqx_lb_sidecar_event_streams')
  return { store, app, port, set, streams, url: `http://127.0.0.1:${port}` }
}

const json = (e: SseEvent): Record<string, unknown> => JSON.parse(e.data) as Record<string, unknown>
const seq = (id: string | undefined): number => Number(id?.split('-')[1])

t.test('GET /events: an event stream, a retry line, the timeline and the status document first', async (t) => {
  const { port, set } = await setup(t)
  set('up')
  const s = await openEvents(port)
  t.teardown(s.close)
  t.equal(s.res.statusCode, 200)
  t.match(s.res.headers['content-type'], /^text\/event-stream/)
  t.equal(s.res.headers['cache-control'], 'no-store')
  const status = await s.next((e) => e.event === 'status', 2000, 'the first status')
  t.same(s.events.map((e) => e.event).slice(0, 2), ['timeline', 'status'], 'timeline, then status (then the page\'s view)')
  t.ok(s.retries.length === 1 && (s.retries[0] ?? 0) > 0, 'a retry: line')
  t.match(status.id, /^[0-9a-f]+-\d+$/, 'every event has an id')
  t.equal(json(status).state, 'up')
  t.same((JSON.parse(s.events[0]?.data ?? '[]') as Array<{ state: string }>).map((x) => x.state), ['starting', 'up'])
})

t.test('a change of the served state is a transition and a status event, written in the tick of the change', async (t) => {
  const { port, set } = await setup(t)
  set('up')
  const s = await openEvents(port)
  t.teardown(s.close)
  await s.next((e) => e.event === 'status', 2000, 'the first status')
  const before = s.events.length
  set('draining', 'the node is a rebalance donor')
  const tr = await s.next((e) => e.event === 'transition', 2000, 'the transition', before)
  t.match(json(tr), { state: 'draining', reason: 'emqx_unavailable', cause: /^EMQX answered 503/, message: 'the node is a rebalance donor' })
  const st = await s.next((e) => e.event === 'status' && json(e).state === 'draining', 2000, 'the draining status', before)
  t.ok(seq(st.id) > seq(tr.id), 'ids grow')
})

t.test('the events are written in the tick of the change, before the event loop can answer a probe', async (t) => {
  const { port, set, app } = await setup(t)
  const sockets: Socket[] = []
  app.server.on('connection', (c: Socket) => { sockets.push(c) })
  set('up')
  const s = await openEvents(port)
  t.teardown(s.close)
  await s.next((e) => e.event === 'status', 2000, 'the first status')
  const server = sockets.find((c) => c.remotePort === s.res.socket?.localPort)
  if (server === undefined) { t.fail('the stream\'s server socket'); return }
  const before = server.bytesWritten
  set('draining')
  // the store's listener queued the flush as a microtask, and node (22 on) corks a response's writes until the
  // next process tick: both run before the event loop returns to I/O, so before any probe could be answered
  await Promise.resolve()
  await new Promise((resolve) => process.nextTick(resolve))
  t.ok(server.bytesWritten > before, 'the transition and the status were written')
  const tr = await s.next((e) => e.event === 'transition', 2000, 'the transition')
  t.equal(json(tr).state, 'draining')
})

t.test('progress (a change that is no transition) goes out at most once per progress interval', async (t) => {
  const { port, set, store } = await setup(t, { progressMs: 300 })
  set('up')
  const s = await openEvents(port)
  t.teardown(s.close)
  await s.next((e) => e.event === 'status', 2000, 'the first status')
  const start = s.events.length
  const started = Date.now()
  // 40 detail changes over ~800 ms: no transition, only progress
  for (let i = 0; i < 40; i++) {
    store.setDetails({ nodeName: `emqx${i}@127.0.0.1` })
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await s.next((e) => e.event === 'status' && (json(e).emqx as { node_name: string }).node_name === 'emqx39@127.0.0.1', 2000, 'the last progress', start)
  const progress = s.events.slice(start).filter((e) => e.event !== 'view')
  const elapsed = Date.now() - started
  t.ok(progress.every((e) => e.event === 'status'), 'status events (each with the page\'s view) only')
  t.ok(progress.length <= Math.ceil(elapsed / 300) + 1, `${progress.length} status events in ${elapsed} ms`)
  t.ok(progress.length >= 2, 'progress does go out')
})

t.test('resume: Last-Event-ID gets the transitions missed and the status now; an unknown id gets the timeline', async (t) => {
  const { port, set } = await setup(t)
  set('up')
  const a = await openEvents(port)
  const first = await a.next((e) => e.event === 'status', 2000, 'the first status')
  a.close()
  set('draining')
  await new Promise((resolve) => setImmediate(resolve))
  set('down')
  const b = await openEvents(port, { 'last-event-id': first.id ?? '' })
  t.teardown(b.close)
  await b.next((e) => e.event === 'view', 2000, 'the status and view after the missed events')
  t.same(b.events.map((e) => e.event), ['transition', 'transition', 'status', 'view'], 'the missed transitions, then the status and view, no timeline')
  t.same(b.events.slice(0, 2).map((e) => json(e).state), ['draining', 'down'])
  t.equal(json(b.events[2] as SseEvent).state, 'down')
  t.ok(seq(b.events[0]?.id) > seq(first.id), 'only events after the one it had')

  // the page opens a new EventSource with the id in the query (a 503 closes an EventSource for good)
  const q = await openEvents(port, {}, `/events?last_event_id=${encodeURIComponent(first.id ?? '')}`)
  t.teardown(q.close)
  await q.next((e) => e.event === 'view', 2000, 'the view')
  t.same(q.events.map((e) => e.event), ['transition', 'transition', 'status', 'view'], 'the same through the query string')

  for (const id of ['0123abcd-1', 'garbage', `${first.id?.split('-')[0] ?? ''}-99999`]) {
    const c = await openEvents(port, { 'last-event-id': id })
    await c.next((e) => e.event === 'view', 2000, 'the view')
    t.same(c.events.map((e) => e.event), ['timeline', 'status', 'view'], `${id}: a full snapshot`)
    c.close()
  }
})

t.test('resume older than the ring: a full snapshot', async (t) => {
  const streams = new EventStreams({ maxClients: 1, ringSize: 2 })
  streams.publish('transition', '1', true)
  const old = streams.lastId
  for (let i = 2; i <= 5; i++) streams.publish('transition', String(i), true)
  t.equal(streams.missedSince(old), undefined, 'fell out of the ring')
  const recent = streams.lastId.replace(/-\d+$/, '-3')
  t.same(streams.missedSince(recent)?.map((f) => /data: (\d)/.exec(f)?.[1]), ['4', '5'], 'within the ring')
  t.same(streams.missedSince(streams.lastId), [], 'nothing missed')
})

t.test('heartbeat: a comment line on every stream at the shared interval', async (t) => {
  const { port } = await setup(t, { heartbeatMs: 50 })
  const s = await openEvents(port)
  const u = await openEvents(port)
  t.teardown(() => { s.close(); u.close() })
  await s.until(() => s.comments.filter((c) => c === 'heartbeat').length >= 3, 2000, 'three heartbeats')
  await u.until(() => u.comments.filter((c) => c === 'heartbeat').length >= 3, 2000, 'three heartbeats on the second stream')
  t.pass('heartbeats arrive on every stream')
})

t.test('one heartbeat timer, running only while a stream is open', async (t) => {
  const streams = new EventStreams({ maxClients: 3, heartbeatMs: 30 })
  const server = createServer((req, res) => { streams.open(req, res, []) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { streams.closeAll(); server.close() })
  const port = (server.address() as { port: number }).port
  t.equal(streams.heartbeating, false, 'none before the first stream')
  const a = await openEvents(port)
  const b = await openEvents(port)
  t.equal(streams.heartbeating, true, 'running with streams open')
  await b.until(() => b.comments.includes('heartbeat'), 2000, 'a heartbeat')
  a.close()
  await waitFor(() => streams.size, (n) => n === 1, { what: 'one stream left' })
  t.equal(streams.heartbeating, true, 'still running for the other')
  b.close()
  await waitFor(() => streams.size, (n) => n === 0, { what: 'no stream left' })
  t.equal(streams.heartbeating, false, 'stopped with the last stream')
})

t.test('at most --events-max-clients streams: the next gets a JSON 503; the gauge counts the open ones', async (t) => {
  const { port, streams, url } = await setup(t, { maxClients: 2 })
  t.equal(await streams(), 0, 'gauge starts at 0')
  const a = await openEvents(port)
  const b = await openEvents(port)
  await a.next((e) => e.event === 'status', 2000, 'a: status')
  await b.next((e) => e.event === 'status', 2000, 'b: status')
  t.equal(await streams(), 2)
  const refused = await request(`${url}/events`)
  t.equal(refused.statusCode, 503)
  t.match(await refused.body.json(), { error: 'too_many_event_streams', max: 2 })
  a.close()
  await waitFor(streams, (n) => n === 1, { what: 'the gauge after one stream closed', timeoutMs: 2000 })
  const c = await openEvents(port)
  t.equal(c.res.statusCode, 200, 'room again')
  c.close()
  b.close()
  await waitFor(streams, (n) => n === 0, { what: 'the gauge back to 0', timeoutMs: 2000 })
})

t.test('a client that never reads is dropped once its buffer passes the bound; one that reads stays', async (t) => {
  const { port, set, streams } = await setup(t, { maxClients: 4 })
  const reader = await openEvents(port)
  t.teardown(reader.close)
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => undefined)
  await once(socket, 'connect')
  socket.write('GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n')
  socket.pause()
  t.teardown(() => { socket.destroy() })
  await waitFor(streams, (n) => n === 2, { what: 'both streams open', timeoutMs: 2000 })
  // each flip is a transition and a status event of ~12 KB: the kernel's buffers fill, then the server's
  const message = 'x'.repeat(4000)
  let flips = 0
  for (; flips < 20_000 && (flips % 20 !== 0 || (await streams()) === 2); flips++) {
    set(flips % 2 === 0 ? 'draining' : 'up', message)
    await new Promise((resolve) => setImmediate(resolve))
  }
  t.ok(flips < 20_000, `the silent client was dropped after ${flips} flips`)
  t.equal(await streams(), 1, 'the reading client is still there')
  await reader.until(() => reader.events.filter((e) => e.event === 'transition').length >= flips, 5000, 'every transition')
  t.equal(reader.res.destroyed, false, 'and it got every transition')
})

t.test('closing the app ends every stream and refuses new ones', async (t) => {
  const store = new TestStore(initialSnapshot(Date.now()))
  const app = buildApp({ store, metrics: createMetrics(store), log: pino({ level: 'silent' }), events: { maxClients: 4 } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as { port: number }).port
  const s = await openEvents(port)
  await s.next((e) => e.event === 'status', 2000, 'status')
  const started = Date.now()
  await app.close()
  await s.ended
  t.ok(Date.now() - started < 2000, 'closed promptly, not after a timeout')
})

t.test('--events-max-clients / SIDECAR_EVENTS_MAX_CLIENTS: 32 by default', async (t) => {
  t.equal(loadServeConfig([], {}).config.eventsMaxClients, 32)
  t.equal(loadServeConfig(['--events-max-clients', '5'], {}).config.eventsMaxClients, 5)
  t.equal(loadServeConfig([], { SIDECAR_EVENTS_MAX_CLIENTS: '7' }).config.eventsMaxClients, 7)
  t.throws(() => loadServeConfig(['--events-max-clients', '0'], {}))
})

t.test('other methods on /events get 405', async (t) => {
  const { app } = await setup(t)
  for (const method of ['POST', 'PUT', 'DELETE', 'HEAD'] as const) {
    const res = await app.inject({ method, url: '/events' })
    t.equal(res.statusCode, 405, method)
    t.equal(res.headers.allow, 'GET')
  }
})
