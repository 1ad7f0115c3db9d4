import t from 'tap'
import { connect, createServer } from 'node:net'
import { Writable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import pino from 'pino'
import { defaultHttpLimits } from '../../src/config/serve-config.js'
import { buildApp } from '../../src/http/app.js'
import { BatchRecorder, startProbeThread } from '../../src/http/probe-thread.js'
import { createMetrics } from '../../src/metrics/registry.js'
import { ProberTracker } from '../../src/probers/tracker.js'
import { initialSnapshot, moveTo } from '../../src/state/transition.js'
import { keepAlive } from '../support/keep-alive-client.js'
import { probeListener } from '../support/probe-listener.js'
import { TestStore as Store } from '../support/test-store.js'

function tracker (maxCheckers = 10): ProberTracker {
  return new ProberTracker({ maxCheckers, ttlMs: 60_000, fall: { http: 3, agent: 1 }, budgetMs: 10_000 })
}

function setup (opts: { maxCheckers?: number } = {}) {
  const store = new Store(initialSnapshot(Date.now()))
  const tr = tracker(opts.maxCheckers)
  const metrics = createMetrics(store, { tracker: tr })
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'info' }, new Writable({ write (chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } }))
  const app = buildApp({ store, metrics, log, tracker: tr })
  const set = (state: 'up' | 'draining'): void => { store.update((s) => moveTo(s, state, state === 'up' ? 'emqx_available' : 'emqx_unavailable', 'test', Date.now())) }
  return { store, tracker: tr, metrics, app, log, lines, set }
}

const PROBE = 'GET /availability HTTP/1.1\r\nHost: x\r\nUser-Agent: checker\r\n\r\n'

t.test('the thread never answers 200 before the store does, and follows every change on the very next probe', async (t) => {
  const s = setup()
  const { port } = await probeListener(t, s)
  const c = await keepAlive(port)
  t.teardown(c.close)
  t.equal((await c.send(PROBE)).status, 503, 'starting: 503 from the first probe')
  // each change is followed at once by a probe on an open connection: no window in which the
  // thread still gives the previous answer (it pulls the new one when the shared version moved)
  let wrong = 0
  for (let i = 0; i < 200; i++) {
    const state = i % 2 === 0 ? 'up' : 'draining'
    s.set(state)
    const r = await c.send(PROBE)
    if (r.status !== (state === 'up' ? 200 : 503) || JSON.parse(r.body).state !== state) wrong++
  }
  t.equal(wrong, 0, '200 changes of answer, each seen by the next probe')
})

t.test('probes are recorded per answer: drain answers count toward fall, and are counted by code', async (t) => {
  const s = setup()
  const { port, sync } = await probeListener(t, s)
  const c = await keepAlive(port)
  t.teardown(c.close)
  s.set('up')
  for (let i = 0; i < 4; i++) await c.send(PROBE)
  s.set('draining')
  s.tracker.drainStarted(Date.now())
  for (let i = 0; i < 3; i++) await c.send(PROBE)
  await sync()
  t.match(s.tracker.checkers(Date.now()), [{ userAgent: 'checker', probes: 7, drainAnswers: 3, told: true, lastAnswer: '503' }])
  t.equal(s.tracker.drain(Date.now()).acknowledged, true)
  const m = await s.metrics.registry.getSingleMetric('emqx_lb_sidecar_probes_total')?.get()
  const count = (code: string): number | undefined => m?.values.find((v) => v.labels.protocol === 'http' && v.labels.answer === code)?.value
  t.equal(count('200'), 4)
  t.equal(count('503'), 3)
})

t.test('a main thread that stops running makes every probe a 503 (sidecar_stalled) until it runs again', async (t) => {
  const s = setup()
  const stallMs = 300
  const { port, sync } = await probeListener(t, { ...s, stallMs })
  s.set('up')
  // the client runs on a thread of its own: it keeps probing while this thread is blocked
  const client = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads')
    const http = require('node:http')
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const probe = () => http.get({ host: '127.0.0.1', port: workerData.port, path: '/availability', agent, headers: { 'user-agent': 'client' } }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (c) => { body += c }).on('end', () => { parentPort.postMessage({ status: res.statusCode, reason: JSON.parse(body).reason, at: Date.now() }); setTimeout(probe, 20) })
    }).on('error', (err) => parentPort.postMessage({ error: err.message }))
    probe()
  `, { eval: true, workerData: { port } })
  t.teardown(async () => { await client.terminate() })
  const answers: Array<{ status?: number, reason?: string, error?: string }> = []
  let notify: (() => void) | undefined
  client.on('message', (m: { status?: number }) => { answers.push(m); notify?.() })
  const until = async (what: string, ok: () => boolean, ms = 10_000): Promise<void> => {
    const deadline = Date.now() + ms
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms waiting for ${what}; answers: ${JSON.stringify(answers.slice(-5))}`)
      await new Promise<void>((resolve) => { notify = resolve; setTimeout(resolve, 100) })
    }
  }
  await until('a first 200', () => answers.some((a) => a.status === 200))
  // this thread sleeps (not scheduled at all) for well over the stall bound
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, stallMs + 1700)
  const from = answers.length
  await until('a 200 after the stall', () => answers.slice(from).some((a, i, all) => a.status === 200 && all.slice(0, i).some((b) => b.reason === 'sidecar_stalled')))
  const during = answers.slice(from)
  t.equal(during.filter((a) => a.error !== undefined).length, 0, 'no probe failed: the thread kept answering')
  t.ok(during.some((a) => a.status === 503 && a.reason === 'sidecar_stalled'), 'probes answered 503 sidecar_stalled while the main thread was blocked')
  t.notOk(during.some((a) => a.status === 200 && a.reason === 'sidecar_stalled'), 'never a 200 from the stall answer')
  await sync()
  const warned = s.lines.find((l) => l.code === 'main_thread_stalled')
  t.ok(warned, 'the stall is logged once the main thread runs again')
  t.ok(Number(warned?.probes) >= 1 && Number(warned?.stalledMs) > stallMs, `with its probes and length: ${JSON.stringify(warned)}`)
  t.match(s.tracker.checkers(Date.now()).find((c) => c.userAgent === 'client'), { userAgent: 'client' }, 'the stalled probes were recorded for the tracker too')
})

t.test('everything that is not a probe is answered by the app, through the main thread', async (t) => {
  const s = setup()
  const { port } = await probeListener(t, s)
  s.set('up')
  const c = await keepAlive(port)
  t.teardown(c.close)
  const status = await c.send('GET /status HTTP/1.1\r\nHost: x\r\n\r\n')
  t.equal(status.status, 200)
  t.equal(JSON.parse(status.body).state, 'up', '/status')
  const post = await c.send('POST /availability HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
  t.equal(post.status, 405, 'a POST with a body: the route\'s 405')
  t.equal((await c.send('GET /nope HTTP/1.1\r\nHost: x\r\n\r\n')).status, 404)
  t.equal((await c.send(PROBE)).status, 200, 'the same connection still probes after forwarded requests')
  const big = await c.send(`POST /status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(5000)}`)
  t.equal(big.status, 413, 'a body over the app\'s 4 KiB limit: 413 from the app')
  const huge = await keepAlive(port)
  t.teardown(huge.close)
  const tooBig = await huge.send(`POST /status HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n${'x'.repeat(70_000)}`)
  t.equal(tooBig.status, 413, 'a body over 64 KiB is not read or forwarded')
  t.equal((await c.send(PROBE)).status, 200, 'and probes are still answered')
})

t.test('a port in use: start-up rejects with the listen error and leaves no thread behind', async (t) => {
  const taken = createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  t.teardown(() => taken.close())
  const port = (taken.address() as { port: number }).port
  const s = setup()
  await t.rejects(startProbeThread({ host: '127.0.0.1', port, backlog: 511, limits: defaultHttpLimits(), store: s.store, metrics: s.metrics, app: s.app, log: s.log, forwardTimeoutMs: 1000, onFailure: () => { t.fail('no failure after a failed start') } }),
    { code: 'EADDRINUSE' })
})

t.test('close(): no new connections, open idle ones closed, the last probes handed over', async (t) => {
  const s = setup()
  const thread = await startProbeThread({ host: '127.0.0.1', port: 0, backlog: 511, limits: defaultHttpLimits(), store: s.store, metrics: s.metrics, tracker: s.tracker, app: s.app, log: s.log, forwardTimeoutMs: 1000, onFailure: () => { t.fail('closing is not a failure') } })
  s.set('up')
  const c = await keepAlive(thread.port)
  for (let i = 0; i < 3; i++) await c.send(PROBE)
  await thread.close()
  t.match(s.tracker.checkers(Date.now()), [{ userAgent: 'checker', probes: 3 }], 'every probe answered was recorded')
  const refused = await new Promise<string>((resolve) => { connect(thread.port, '127.0.0.1').on('error', (e: NodeJS.ErrnoException) => { resolve(e.code ?? '') }).on('connect', () => { resolve('connected') }) })
  t.equal(refused, 'ECONNREFUSED')
  c.close()
  await s.app.close()
})

t.test('BatchRecorder: one identification per connection, forgotten when it closes, identified again when the tracker dropped it', async (t) => {
  const store = new Store(initialSnapshot(Date.now()))
  const tr = tracker(1)
  const metrics = createMetrics(store, { tracker: tr })
  const r = new BatchRecorder(metrics, tr)
  const now = Date.now()
  const batch = (idents: Array<[number, string, string | null]>, events: number[], closed: number[] = [], status: 200 | 503 = 200) =>
    ({ type: 'batch' as const, status, idents, events: Float64Array.from(events), closed, dropped: 0 })
  r.apply(batch([[1, '10.0.0.1', 'a']], [1, now, 1, now + 1000]))
  t.match(tr.checkers(now + 1000), [{ source: '10.0.0.1', userAgent: 'a', probes: 2, intervalMs: 1000 }], 'the interval is taken from each probe\'s own time')
  r.apply(batch([[2, '10.0.0.2', null]], [2, now + 1500]))
  t.equal(tr.evicted, 1, 'a evicted (maxCheckers 1)')
  r.apply(batch([], [1, now + 2000], [2]))
  t.match(tr.checkers(now + 2000), [{ source: '10.0.0.1', userAgent: 'a', probes: 1 }], 'slot 1 identified again after its checker was dropped')
  t.equal(r.slots, 1, 'slot 2 forgotten once its connection closed')
  r.apply(batch([], [], [1]))
  t.equal(r.slots, 0)
  r.apply(batch([], [7, now]))
  t.equal(tr.checkers(now + 2000)[0]?.probes, 1, 'an event for an unknown slot is ignored, not guessed')
})

t.test('a probe thread that fails after start-up is logged as fatal and handed to onFailure (the process exits)', async (t) => {
  const s = setup()
  let failed: Error | undefined
  let notify: (() => void) | undefined
  const thread = await startProbeThread({
    host: '127.0.0.1', port: 0, backlog: 511, limits: defaultHttpLimits(), store: s.store, metrics: s.metrics, app: s.app, log: s.log, forwardTimeoutMs: 1000,
    workerUrl: new URL('../support/failing-probe-worker.mjs', import.meta.url),
    onFailure: (err) => { failed = err; notify?.() },
  })
  t.teardown(async () => { await thread.close(); await s.app.close() })
  if (failed === undefined) {
    await new Promise<void>((resolve, reject) => {
      notify = resolve
      setTimeout(() => { reject(new Error('timed out after 10 s waiting for onFailure')) }, 10_000).unref()
    })
  }
  t.match(failed?.message, /boom in the probe thread/)
  t.match(s.lines.find((l) => l.code === 'probe_thread_failed'), { level: 60, msg: /the HTTP listener's thread failed: boom/ })
})
