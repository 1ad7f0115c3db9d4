import t, { type Test } from 'tap'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { once } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import pino from 'pino'
import { buildApp } from '../../../src/http/listeners/app.js'
import { AVAILABILITY_PATHS, isProbe } from '../../../src/http/listeners/probe.js'
import { createProbeServer } from '../../../src/http/listeners/fast-path.js'
import { createMetrics } from '../../../src/metrics/registry.js'
import { CheckerTracker } from '../../../src/checkers/tracker.js'
import { TestStore as Store } from '../../support/test-store.js'
import { listenApp } from '../../support/listen-app.js'
import { closedWithin, openSocket } from '../../support/raw-client.js'
import { initialSnapshot } from '../../../src/state/transition.js'
import { moveTo } from '../../../src/state/move.js'

/** One request on its own connection, read to EOF: the exact bytes a checker sees. */
async function raw (port: number, request: string): Promise<{ status: number, headers: Record<string, string>, body: string, head: string[] }> {
  return await new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1')
    let text = ''
    s.setEncoding('latin1')
    s.on('data', (c: string) => { text += c })
    s.on('error', reject)
    s.on('end', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n')
      const [statusLine = '', ...lines] = head.split('\r\n')
      const headers: Record<string, string> = {}
      for (const l of lines) { const i = l.indexOf(':'); headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim() }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, head: [statusLine, ...lines] })
    })
    s.write(request)
  })
}

async function listening (t: Test) {
  const store = new Store(initialSnapshot(Date.parse('2026-01-01T00:00:00Z')))
  const metrics = createMetrics(store)
  const tracker = new CheckerTracker({ maxCheckers: 10, ttlMs: 60_000, checkerFall: 3, budgetMs: 10_000 })
  const app = buildApp({ store, metrics, log: pino({ level: 'silent' }), tracker })
  const port = await listenApp(t, app)
  // the count the registry has
  const probes = async (code: string): Promise<number> => {
    const m = await metrics.registry.getSingleMetric('emqx_lb_sidecar_probes_total')?.get()
    return m?.values.find((v) => v.labels.protocol === 'http' && v.labels.answer === code)?.value ?? NaN
  }
  return { store, app, port, probes, tracker }
}

t.test('isProbe matches the availability paths with GET, HEAD and OPTIONS only', async (t) => {
  for (const p of AVAILABILITY_PATHS) {
    t.ok(isProbe('GET', p), p)
    t.ok(isProbe('HEAD', `${p}?cachebuster=1`), `${p} with a query`)
    t.ok(isProbe('OPTIONS', p))
    t.notOk(isProbe('POST', p), `POST ${p}`)
  }
  for (const p of ['/availability/', '//availability', '/AVAILABILITY', '/status', '/metrics', '/livez', 'http://h/availability', '']) t.notOk(isProbe('GET', p), p)
  t.notOk(isProbe(undefined, '/'))
  t.notOk(isProbe('GET', undefined))
})

t.test('over a real socket, probes get the same answer as through the router, and are counted', async (t) => {
  const { store, app, port, probes } = await listening(t)
  for (const [state, code] of [['up', 200], ['draining', 503]] as const) {
    if (state !== 'up') store.update((s) => moveTo(s, state, 'emqx_unavailable', 'test', Date.parse('2026-01-01T00:01:00Z')))
    else store.update((s) => moveTo(s, state, 'emqx_available', 'test', Date.parse('2026-01-01T00:01:00Z')))
    for (const path of AVAILABILITY_PATHS) {
      for (const method of ['GET', 'HEAD', 'OPTIONS'] as const) {
        const what = `${state} ${method} ${path}`
        const before = await probes(String(code))
        const wire = await raw(port, `${method} ${path}?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)
        t.equal(await probes(String(code)), before + 1, `${what}: counted once`)
        const routed = await app.inject({ method, url: path })
        t.equal(wire.status, code, `${what}: status`)
        t.equal(wire.status, routed.statusCode, `${what}: same status as routed`)
        t.equal(wire.headers['cache-control'], 'no-store', `${what}: no-store`)
        t.equal(wire.headers['content-type'], routed.headers['content-type'], `${what}: same content-type as routed`)
        t.equal(wire.headers['content-length'], String(routed.headers['content-length']), `${what}: same content-length as routed`)
        t.equal(wire.body, routed.body, `${what}: same body as routed`)
        t.equal(Number(wire.headers['content-length']), Buffer.byteLength(wire.body), `${what}: content-length matches the body`)
        if (method !== 'GET') t.equal(wire.body, '', `${what}: status only`)
      }
    }
  }
})

t.test('probes answered by the fast path feed the prober tracker (drain acknowledgement) with source and user agent', async (t) => {
  const { store, port, tracker } = await listening(t)
  store.update((s) => moveTo(s, 'up', 'emqx_available', 'test', Date.now()))
  for (let i = 0; i < 2; i++) await raw(port, 'GET /availability HTTP/1.1\r\nHost: a\r\nUser-Agent: test-checker\r\nConnection: close\r\n\r\n')
  const seen = tracker.checkers(Date.now())
  t.equal(seen.length, 1, 'one checker')
  t.match(seen[0], { source: '127.0.0.1', kind: 'http', userAgent: 'test-checker', probes: 2, lastAnswer: '200' })
})

t.test('HAProxy\'s bare `option httpchk` (OPTIONS / HTTP/1.0) gets the status and a closed connection', async (t) => {
  const { store, port } = await listening(t)
  store.update((s) => moveTo(s, 'up', 'emqx_available', 'test', Date.now()))
  const res = await raw(port, 'OPTIONS / HTTP/1.0\r\n\r\n')
  t.equal(res.status, 200)
  t.equal(res.headers['content-length'], '0')
})

t.test('other requests still go through fastify', async (t) => {
  const { store, port } = await listening(t)
  store.update((s) => moveTo(s, 'up', 'emqx_available', 'test', Date.now()))
  const post = await raw(port, 'POST /availability HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
  t.equal(post.status, 405, 'POST is not a probe: fastify answers it')
  t.match(JSON.parse(post.body), { error: 'method_not_allowed' })
  t.equal(post.headers.allow, 'GET, HEAD, OPTIONS')
  t.equal(post.headers['cache-control'], 'no-store')
  const live = await raw(port, 'GET /livez HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
  t.equal(live.status, 200)
  t.same(JSON.parse(live.body), { status: 'alive' })
  const absolute = await raw(port, 'GET http://a/availability HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
  t.equal(absolute.status, 200, 'an absolute-form target is answered by the route, the same way')
  t.equal(absolute.headers['cache-control'], 'no-store')
})

t.test('keep-alive: many probes on one connection, then /status on the same connection', async (t) => {
  const { store, port } = await listening(t)
  store.update((s) => moveTo(s, 'up', 'emqx_available', 'test', Date.now()))
  const reqs = Array.from({ length: 5 }, () => 'GET /availability HTTP/1.1\r\nHost: a\r\n\r\n').join('') + 'GET /status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
  const text = await new Promise<string>((resolve, reject) => {
    const s = connect(port, '127.0.0.1')
    let out = ''
    s.setEncoding('latin1').on('data', (c: string) => { out += c }).on('end', () => resolve(out)).on('error', reject)
    s.write(reqs)
  })
  t.equal(text.split('HTTP/1.1 200 OK').length - 1, 6, 'six answers, in order, on one connection')
  t.match(text, /"state": "up"/, 'the last one is the /status document')
})

t.test('the answer head is exactly one of each header, and follows a snapshot change (header lists cached per snapshot)', async (t) => {
  const { store, port } = await listening(t)
  // the status line and header lines in order, as sent (Date masked)
  const head = async (method: string): Promise<string[]> =>
    (await raw(port, `${method} /availability HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)).head.map((l) => l.replace(/^Date: .*/, 'Date: *'))
  store.update((s) => moveTo(s, 'up', 'emqx_available', 'test', Date.parse('2026-01-01T00:00:01Z')))
  const upLength = Buffer.byteLength(JSON.stringify({ state: 'up', reason: 'emqx_available', since: '2026-01-01T00:00:01.000Z' }))
  t.same(await head('GET'), ['HTTP/1.1 200 OK', 'content-type: application/json', `content-length: ${upLength}`, 'cache-control: no-store', 'Date: *', 'Connection: close'])
  t.same(await head('HEAD'), ['HTTP/1.1 200 OK', 'content-length: 0', 'cache-control: no-store', 'Date: *', 'Connection: close'])
  store.update((s) => moveTo(s, 'draining', 'emqx_unavailable', 'test', Date.parse('2026-01-01T00:00:02Z')))
  const drainLength = Buffer.byteLength(JSON.stringify({ state: 'draining', reason: 'emqx_unavailable', since: '2026-01-01T00:00:02.000Z' }))
  t.not(drainLength, upLength, 'the two bodies differ in length, so a stale cached header would show')
  t.same(await head('GET'), ['HTTP/1.1 503 Service Unavailable', 'content-type: application/json', `content-length: ${drainLength}`, 'cache-control: no-store', 'Date: *', 'Connection: close'])
  t.same(await head('OPTIONS'), ['HTTP/1.1 503 Service Unavailable', 'content-length: 0', 'cache-control: no-store', 'Date: *', 'Connection: close'])
})

/**
 * The probe server on its own, with a short inactivity timeout: `answer` writes a 4 KiB body (fewer answers
 * fill the kernel's buffers); a request to `/hold` sets a timer of its own (as /prestop does) and is never
 * answered. A second request listener, which runs after the server's own, records each request with its
 * socket's timer as the server left it.
 */
async function probeServer (t: Test, connectionTimeout: number) {
  const served: Array<{ socketTimeout: number | undefined, res: ServerResponse }> = []
  let waiter: (() => void) | undefined
  const body = 'x'.repeat(4096)
  const server = createProbeServer(
    (req, res) => { if (req.url === '/hold') req.socket.setTimeout(60_000); else res.end('routed') },
    { serve: (_req, res) => { res.writeHead(200, { 'content-length': body.length }); res.end(body) } },
    { keepAliveTimeout: 5000, requestTimeout: 10_000, connectionTimeout }, {}
  )
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    served.push({ socketTimeout: req.socket.timeout, res })
    waiter?.()
  })
  const sockets: Socket[] = []
  server.on('connection', (s: Socket) => { sockets.push(s) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  /** resolves with the next request the server dispatches, or fails after 5 s */
  const next = async (what: string): Promise<{ socketTimeout: number | undefined, res: ServerResponse }> => {
    const n = served.length
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${what}: not dispatched within 5000ms`)) }, 5000)
      waiter = () => { clearTimeout(timer); waiter = undefined; resolve() }
    })
    return served[n] as { socketTimeout: number | undefined, res: ServerResponse }
  }
  return { port: (server.address() as AddressInfo).port, sockets, next }
}

const PROBE = 'GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n'

t.test('a probe whose answer goes out at once leaves the socket without an inactivity timer; other requests get one', async (t) => {
  const s = await probeServer(t, 300)
  const c = await openSocket(s.port)
  for (let i = 0; i < 3; i++) {
    c.write(PROBE)
    const { socketTimeout, res } = await s.next(`probe ${i}`)
    t.notOk(socketTimeout, `probe ${i}: no inactivity timer once it is answered (node's keep-alive timer only between requests)`)
    if (!res.writableFinished) await once(res, 'finish')
  }
  c.write('GET /status HTTP/1.1\r\nHost: x\r\n\r\n')
  t.equal((await s.next('the /status request')).socketTimeout, 300, 'a request for fastify arms the inactivity timeout (its answer may be large or slow to leave)')
  c.destroy()
})

t.test('a request pipelined behind a route that set its own timer (as /prestop does) leaves that timer alone', async (t) => {
  const s = await probeServer(t, 300)
  const c = await openSocket(s.port)
  c.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n')
  t.equal((await s.next('the /hold request')).socketTimeout, 60_000, 'the route\'s own timer')
  c.write(PROBE)
  t.equal((await s.next('a probe behind it')).socketTimeout, 60_000, 'a probe queued behind it (its answer waits) keeps it')
  c.write('GET /status HTTP/1.1\r\nHost: x\r\n\r\n')
  t.equal((await s.next('/status behind it')).socketTimeout, 60_000, 'so does a request for fastify')
  c.destroy()
})

t.test('a probe connection whose answers the client does not read is closed by the inactivity timeout', async (t) => {
  const s = await probeServer(t, 300)
  const c = await openSocket(s.port)
  c.pause()
  // One complete request at a time, each dispatched before the next is sent: no request is ever half-read,
  // so node's headers and request timeouts have nothing to time out, and the keep-alive timer never starts
  // because an answer is never delivered. Only the inactivity timer, armed once an answer stays buffered, is left.
  let buffered = false
  for (let i = 0; i < 20_000 && !buffered; i++) {
    c.write(PROBE)
    const { res } = await s.next(`probe ${i}`)
    buffered = res.writableLength > 0
  }
  t.ok(buffered, 'an answer stayed buffered in the server (the client reads nothing)')
  const socket = s.sockets[0] as Socket
  t.equal(socket.timeout, 300, 'the connection now has the inactivity timeout')
  t.ok(await closedWithin(socket, 10_000), 'and is closed by it, the answers undelivered')
  c.destroy()
})

t.test('a client that reads nothing and sends requests node answers itself (417 for an unknown Expect) is closed too', async (t) => {
  const s = await probeServer(t, 300)
  const c = await openSocket(s.port)
  c.pause()
  // node writes these answers without calling the request listener; its answers back up, it pauses the
  // connection, and the pause arms the timer (headers timeout 60 s and request timeout 10 s here: not them)
  c.write('GET /readyz HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\n\r\n'.repeat(100_000))
  const socket = s.sockets[0] as Socket
  t.ok(await closedWithin(socket, 10_000), `closed by the inactivity timer (${String(socket.timeout)} ms)`)
  t.equal(socket.timeout, 300, 'the inactivity timer was the one set')
  c.destroy()
})
