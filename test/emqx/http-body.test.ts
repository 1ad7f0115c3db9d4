import t, { type Test } from 'tap'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { EmqxHttp, MAX_BODY_BYTES } from '../../src/emqx/http.js'

/** Answers the EMQX double does not produce: bodies without a declared length, lying lengths. */
async function server (t: Test, handler: ConstructorParameters<typeof Server>[1]): Promise<{ http: EmqxHttp, base: URL }> {
  const s = createServer(handler)
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  const base = new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)
  const http = new EmqxHttp(loadServeConfig(['--emqx-url', base.href, '--emqx-timeout', '1s'], {}).config.emqx)
  t.teardown(async () => { await http.close(); s.closeAllConnections(); s.close() })
  return { http, base }
}

t.test('a chunked body over the cap is cut off while streaming', async (t) => {
  let sent = 0
  const { http, base } = await server(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    const chunk = Buffer.alloc(16 * 1024, 'x')
    const pump = (): void => { while (sent < 4 * MAX_BODY_BYTES && res.write(chunk)) sent += chunk.length; if (sent < 4 * MAX_BODY_BYTES) res.once('drain', pump); else res.end() }
    pump()
  })
  const r = await http.get(base, '/x')
  t.match(r, { ok: false, outcome: { kind: 'failure', reason: 'body_too_large', httpStatus: 200 } })
})

t.test('a declared length over the cap is refused without reading the body', async (t) => {
  const { http, base } = await server(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * MAX_BODY_BYTES) })
    res.write('{')
  })
  const started = performance.now()
  const r = await http.get(base, '/x')
  t.match(r, { ok: false, outcome: { reason: 'body_too_large' } })
  t.ok(performance.now() - started < 500, 'did not wait for the body (timeout is 1s)')
})

t.test('a body shorter than its declared length, then a closed connection, is a failure, not an answer', async (t) => {
  const { http, base } = await server(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '10' })
    res.write('{}')
    setImmediate(() => req.socket.destroy())
  })
  const r = await http.get(base, '/x')
  t.equal(r.ok, false)
  t.match(r, { outcome: { kind: 'failure', reason: /^(reset|transport)$/ } })
})
