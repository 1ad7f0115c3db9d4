import t, { type Test } from 'tap'
import type { Socket } from 'node:net'
import { request } from 'undici'
import { startDouble } from '../../support/emqx-double.js'
import { scrape } from '../../support/metrics-text.js'
import { formatStats, ProbeLoad } from '../../support/probe-load.js'
import { MAX_PIPELINED } from '../../../src/http/listeners/fast-path.js'
import { closedWithin, exchange, fdCount, kernelView, openSocket, rssBytes } from '../../support/raw-client.js'
import { startSidecar, type SidecarProcess } from '../../support/sidecar-proc.js'
import { waitFor } from '../../support/wait.js'

/**
 * Hostile and broken clients on the sidecar's HTTP port (docs/failure-modes.md, "Hostile clients"):
 * nothing crashes, memory and descriptors stay bounded, and probes keep answering correctly.
 * Limits are set low here so that the test is quick; the defaults are in src/config/options.ts.
 */
const LIMITS = ['--http-max-header-size', '2048', '--http-headers-timeout', '500ms', '--http-request-timeout', '1s', '--http-keep-alive-timeout', '1s', '--http-max-connections', '64']

async function sidecar (t: Test): Promise<SidecarProcess> {
  const sim = await startDouble(t, { profile: 'v5' })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', ...LIMITS])
  await sc.waitForLog((l) => l.msg.startsWith('node is up'), 5000, 'node is up')
  return sc
}

async function probe (sc: SidecarProcess): Promise<number> {
  const res = await request(`${sc.url}/readyz`)
  await res.body.dump()
  return res.statusCode
}

t.test('oversized headers and URLs: 431 and the connection is closed', async (t) => {
  const sc = await sidecar(t)
  const header = await exchange(sc.port, `GET /readyz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`)
  t.match(header.text, /^HTTP\/1\.1 431 /, 'header over --http-max-header-size')
  t.ok(header.closed, 'closed')
  const url = await exchange(sc.port, `GET /readyz?${'q'.repeat(4096)} HTTP/1.1\r\nHost: x\r\n\r\n`)
  t.match(url.text, /^HTTP\/1\.1 431 /, 'URL over --http-max-header-size')
  t.ok(url.closed, 'closed')
  const many = await exchange(sc.port, `GET /readyz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 400 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`)
  t.match(many.text, /^HTTP\/1\.1 431 /, 'many small headers over the limit')
  t.equal(await probe(sc), 200, 'probes still answered')
})

t.test('malformed HTTP, unknown methods and paths get 4xx, never a crash', async (t) => {
  const sc = await sidecar(t)
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['garbage line', 'GARBAGE\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['binary junk', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]), /^HTTP\/1\.1 400 /],
    ['unknown method', 'BREW /readyz HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['bad version', 'GET /readyz HTTP/9.9\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 (400|505) /],
    ['header without colon', 'GET /readyz HTTP/1.1\r\nno colon here\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['bad chunked body', 'POST /readyz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /^HTTP\/1\.1 400 /],
    ['known method, unknown path', 'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 404 [^]*"error":"not_found"/],
    ['DELETE on a probe path', 'DELETE /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 405 [^]*\r\nallow: GET, HEAD, OPTIONS\r\n/],
    ['POST with a body over the body limit', `POST /readyz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n${'x'.repeat(100000)}`, /^HTTP\/1\.1 (404|413) /],
  ]
  for (const [what, bytes, expected] of cases) {
    const r = await exchange(sc.port, bytes)
    t.match(r.text, expected, what)
    t.ok(r.closed, `${what}: connection closed`)
  }
  t.equal(await probe(sc), 200, 'probes still answered')
  t.equal(sc.child.exitCode, null, 'still running')
  t.same(sc.logs.filter((l) => l.level === 'error' || l.level === 'fatal'), [], 'nothing logged as an error')
})

t.test('slowloris clients are cut off after --http-headers-timeout while probes keep answering', async (t) => {
  const sc = await sidecar(t)
  const load = new ProbeLoad(sc.url)
  const slow: Socket[] = await Promise.all(Array.from({ length: 20 }, async () => await openSocket(sc.port)))
  const started = performance.now()
  for (const s of slow) s.write('GET /readyz HTTP/1.1\r\nHost: x\r\n')
  // one more header byte every 100 ms: never a complete request head
  const drip = setInterval(() => { for (const s of slow) if (!s.destroyed) s.write('X') }, 100)
  t.teardown(() => clearInterval(drip))
  const closed = await Promise.all(slow.map(async (s) => await closedWithin(s, 5000)))
  const took = performance.now() - started
  clearInterval(drip)
  t.same(closed.filter((c) => !c).length, 0, 'every slow client was disconnected')
  t.ok(took < 3000, `all cut off after ${Math.round(took)}ms (headers timeout 500ms)`)
  const stats = await load.stop()
  t.same(stats.errors, [], 'no probe failed')
  t.same(Object.keys(stats.statuses), ['200'], `probes answered 200 throughout (${formatStats(stats)})`)
})

t.test('idle connections are closed; over --http-max-connections new ones are dropped, logged once, counted', async (t) => {
  const sc = await sidecar(t)
  const pid = sc.child.pid ?? 0
  const baseline = fdCount(pid)
  // 64 allowed: hold them all open without sending a byte
  const idle = await Promise.all(Array.from({ length: 64 }, async () => await openSocket(sc.port)))
  await waitFor(() => fdCount(pid), (n) => n >= baseline + 60, { what: 'sidecar holds the idle connections' })
  const extra = await Promise.all(Array.from({ length: 10 }, async () => await openSocket(sc.port)))
  const dropped = await Promise.all(extra.map(async (s) => await closedWithin(s, 2000)))
  t.same(dropped.filter((d) => !d).length, 0, 'connections over the limit are closed at once')
  await sc.waitForLog((l) => l.code === 'http_connection_limit', 2000, 'connection limit warning')
  const started = performance.now()
  // bounded generously: on a starved 2-CPU box the sidecar's 500 ms timers can run seconds late
  const closed = await Promise.all(idle.map(async (s) => await closedWithin(s, 15_000)))
  const open = idle.filter((_, i) => closed[i] !== true)
  t.same(open.length, 0, `idle connections closed by the sidecar after ${Math.round(performance.now() - started)}ms (headers timeout 500ms)${open.length > 0 ? `; still open (kernel view, sidecar port ${sc.port}): ${open.map((s) => kernelView(s.localPort ?? 0)).join(' | ')}` : ''}`)
  t.equal(await probe(sc), 200, 'probes answered again once the idle connections are gone')
  const metrics = await scrape(sc.url)
  t.ok((metrics.get('emqx_lb_sidecar_connections_dropped_total{protocol="http"}') ?? 0) >= 10, 'dropped connections counted')
  t.equal(sc.logs.filter((l) => l.code === 'http_connection_limit').length, 1, 'the limit is logged once')
  await waitFor(() => fdCount(pid), (n) => n <= baseline + 2, { timeoutMs: 5000, what: `descriptors back to baseline ${baseline}` })
})

t.test('the first-request timer closes only connections that sent nothing: a served one stays open', async (t) => {
  const sc = await sidecar(t)
  // a served connection that outlives every timeout but its own: an event stream (heartbeats keep it busy)
  const stream = await openSocket(sc.port)
  let received = ''
  stream.setEncoding('utf8').on('data', (c: string) => { received += c })
  stream.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n')
  await waitFor(() => received, (r) => r.includes('event: status'), { what: 'the first status event' })
  // opened after the stream was served: once the headers timeout has closed it, the stream's own timer has fired too
  const silent = await openSocket(sc.port)
  t.ok(await closedWithin(silent, 15_000), 'a connection that sent nothing is closed after the headers timeout')
  t.notOk(stream.destroyed, 'the served connection is still open')
  // bytes that never start a request (blank lines) do not count as a request begun: node's timeouts close it
  const blank = await openSocket(sc.port)
  const drip = setInterval(() => { if (!blank.destroyed) blank.write('\r\n') }, 100)
  t.teardown(() => clearInterval(drip))
  t.ok(await closedWithin(blank, 15_000), 'a connection sending only blank lines is closed')
  clearInterval(drip)
  const before = received.length
  await waitFor(() => received.length, (n) => n > before, { timeoutMs: 10_000, what: 'the stream goes on after the timer fired' })
  stream.destroy()
})

t.test('a connection pipelining requests past the in-flight limit is closed; probes and shallow pipelines are answered', async (t) => {
  const sc = await sidecar(t)
  const answers = (text: string): number => text.match(/HTTP\/1\.1 200 /g)?.length ?? 0
  // one write: node dispatches every request of a read before any /metrics answer is rendered
  const deep = await exchange(sc.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(200), 15_000)
  t.ok(deep.closed, 'closed by the sidecar')
  t.ok(answers(deep.text) <= MAX_PIPELINED, `at most ${MAX_PIPELINED} of 200 pipelined /metrics rendered (got ${answers(deep.text)})`)
  const shallow = await exchange(sc.port, `${'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(MAX_PIPELINED - 1)}GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 15_000)
  t.equal(answers(shallow.text), MAX_PIPELINED, `${MAX_PIPELINED} pipelined /metrics are all answered`)
  const probes = await exchange(sc.port, `${'GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(199)}GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 15_000)
  t.equal(answers(probes.text), 200, 'probes are not limited: 200 pipelined probes all answered')
  // answered requests leave the count: many more than the limit, one after another on one connection
  const one = await openSocket(sc.port)
  let text = ''
  one.setEncoding('latin1').on('data', (c: string) => { text += c })
  for (let i = 1; i <= MAX_PIPELINED * 3; i++) {
    one.write(`GET ${i % 2 === 0 ? '/metrics' : '/status'} HTTP/1.1\r\nHost: x\r\n\r\n`)
    await waitFor(() => answers(text), (n) => n >= i || one.destroyed, { what: `answer ${i} on one connection` })
  }
  t.equal(answers(text), MAX_PIPELINED * 3, `${MAX_PIPELINED * 3} requests in turn on one keep-alive connection all answered`)
  t.notOk(one.destroyed, 'and the connection is still open')
  one.destroy()
  t.equal(await probe(sc), 200, 'the sidecar answers probes')
})

t.test('a connection flood leaves descriptors and memory where they were and probes correct', async (t) => {
  const sc = await sidecar(t)
  const pid = sc.child.pid ?? 0
  await probe(sc)
  const fdBefore = fdCount(pid)
  const rssBefore = rssBytes(pid)
  const load = new ProbeLoad(sc.url)
  let opened = 0
  // 40 clients at a time, each connecting, sending half a request or nothing, and hanging up
  const flood = async (): Promise<void> => {
    for (let i = 0; i < 60; i++) {
      const s = await openSocket(sc.port).catch(() => undefined)
      if (s === undefined) continue
      opened++
      if (i % 2 === 0) s.write('GET /readyz HTTP/1.1\r\nHo')
      s.destroy()
    }
  }
  await Promise.all(Array.from({ length: 40 }, flood))
  const stats = await load.stop()
  t.ok(opened >= 2000, `${opened} connections opened and dropped`)
  t.same(stats.errors, [], 'no probe failed')
  t.same(Object.keys(stats.statuses), ['200'], `every probe answered 200 (${formatStats(stats)})`)
  await waitFor(() => fdCount(pid), (n) => n <= fdBefore + 2, { timeoutMs: 5000, what: `descriptors back to ${fdBefore}` })
  const grown = (rssBytes(pid) - rssBefore) / 1024 / 1024
  t.ok(grown < 50, `RSS grew ${grown.toFixed(1)} MiB over the flood (bound 50 MiB)`)
  t.equal(sc.child.exitCode, null, 'still running')
})

t.test('the separate admin listener has the same limits', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--admin-port', '0', ...LIMITS], { SIDECAR_ADMIN_TOKEN: 'hostile-test-admin-token' })
  const adminLine = await sc.waitForLog((l) => l.event === 'admin_listening', 5000, 'admin listener')
  const port = adminLine.port as number
  const big = await exchange(port, `POST /admin/drain HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(4096)}\r\n\r\n`)
  t.match(big.text, /^HTTP\/1\.1 431 /, 'oversized header: 431')
  t.match((await exchange(port, 'GARBAGE\r\n\r\n')).text, /^HTTP\/1\.1 400 /, 'malformed: 400')
  const idle = await openSocket(port)
  t.ok(await closedWithin(idle, 3000), 'an idle connection is closed after the headers timeout')
  t.equal(sc.child.exitCode, null, 'still running')
})
