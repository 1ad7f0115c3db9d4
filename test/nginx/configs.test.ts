import t from 'tap'
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, connect as tcpConnect, type Socket } from 'node:net'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { parseNodesFlag } from '../../src/nginx/nodes.js'
import { renderUpstream } from '../../src/nginx/render.js'
import type { Balance } from '../../src/nginx/config.js'
import { renderNjsState } from '../../src/nginx/njs-state.js'
import { requireBinary } from '../support/components.js'
import { freePort } from '../../src/demo/free-port.js'
import { NGINX_DIR, prepareNginx, requireNjs, startNginx } from '../support/nginx-server.js'
import { waitFor } from '../support/wait.js'

const BALANCES: Balance[] = ['least_conn', 'round_robin', 'hash_remote_addr', 'random']

t.test('nginx -t passes on the shipped open-source configs with every rendered upstream variant', async (t) => {
  const nginx = requireBinary(t, 'nginx', 'nginx libnginx-mod-stream')
  if (nginx === undefined || requireBinary(t, 'openssl', 'openssl') === undefined) return
  const setup = prepareNginx(t, nginx, { tcpPort: await freePort(), tlsPort: await freePort(), proxyProtocol: true })
  const { nodes } = parseNodesFlag('127.0.0.1:21001 http://127.0.0.1:9183 weight=2 max_fails=3 fail_timeout=10s max_conns=100, [::1]:21002 http://[::1]:9183, localhost:21003 http://localhost:9183', 't')
  const variants: Array<[string, string]> = BALANCES.map((b) => [b, renderUpstream(nodes, new Map([['127.0.0.1:21001', true]]), { upstreamName: 'emqx_mqtt', balance: b, zoneSize: '64k' }).text])
  variants.push(['shipped example', readFileSync(join(NGINX_DIR, 'emqx-upstream.example.conf'), 'utf8')])
  for (const [name, text] of variants) {
    writeFileSync(setup.upstreamFile, text)
    const r = spawnSync(nginx, ['-t', ...setup.args], { encoding: 'utf8' })
    t.equal(r.status, 0, `nginx -t with ${name}: ${r.stderr}`)
  }
  writeFileSync(setup.upstreamFile, 'upstream emqx_mqtt { server 127.0.0.1:1 bogus; }\n')
  t.not(spawnSync(nginx, ['-t', ...setup.args], { encoding: 'utf8' }).status, 0, 'and nginx -t really rejects a broken upstream')
})

t.test('nginx -t passes on the shipped njs configs (nginx-njs.conf, emqx-stream-njs.conf, njs/emqx-lb.js)', async (t) => {
  const nginx = requireBinary(t, 'nginx', 'nginx libnginx-mod-stream libnginx-mod-stream-js')
  if (nginx === undefined || requireBinary(t, 'openssl', 'openssl') === undefined || !requireNjs(t)) return
  const setup = prepareNginx(t, nginx, { tcpPort: await freePort(), tlsPort: await freePort(), proxyProtocol: true, njsFallback: ['127.0.0.1:21001', '[::1]:21002'] })
  const r = spawnSync(nginx, ['-t', ...setup.args], { encoding: 'utf8' })
  t.equal(r.status, 0, `nginx -t: ${r.stderr}`)
  const shipped = readFileSync(join(NGINX_DIR, 'emqx-stream-njs.conf'), 'utf8')
  for (const line of ['js_set $emqx_upstream emqx.upstream;', 'js_var $emqx_lb_state /run/emqx-lb/state.json;', 'proxy_pass $emqx_upstream;', 'listen 8883 ssl;', 'proxy_protocol on;']) {
    t.ok(shipped.includes(line), `emqx-stream-njs.conf has \`${line}\``)
  }
  t.match(readFileSync(join(NGINX_DIR, 'njs', 'emqx-lb.js'), 'utf8'), /export default \{ upstream: upstream \};/)
})

for (const mode of ['reload', 'njs'] as const) {
  t.test(`the shipped ${mode === 'njs' ? 'njs ' : ''}stream config sends the PROXY protocol header, over TCP and after TLS termination`, async (t) => {
    const nginx = requireBinary(t, 'nginx', mode === 'njs' ? 'nginx libnginx-mod-stream libnginx-mod-stream-js' : 'nginx libnginx-mod-stream')
    if (nginx === undefined || requireBinary(t, 'openssl', 'openssl') === undefined || (mode === 'njs' && !requireNjs(t))) return
    // A raw TCP backend (not mosquitto: it cannot parse PROXY headers) records what nginx sends first.
    const received: Array<Promise<string>> = []
    const backend = createServer((s: Socket) => {
      received.push(new Promise((resolve) => {
        let data = ''
        s.setEncoding('latin1').on('data', (c: string) => { data += c; if (data.includes('MQTT-ISH')) { resolve(data); s.end() } })
      }))
    })
    backend.listen(0, '127.0.0.1')
    await once(backend, 'listening')
    t.teardown(() => { backend.close() })
    const backendPort = (backend.address() as { port: number }).port
    const tcpPort = await freePort()
    const tlsPort = await freePort()
    // njs: the fallback upstream points nowhere, so only a node picked from the state reaches the backend
    const setup = prepareNginx(t, nginx, { tcpPort, tlsPort, proxyProtocol: true, ...(mode === 'njs' ? { njsFallback: ['127.0.0.1:1'] } : {}) })
    const { nodes } = parseNodesFlag(`127.0.0.1:${backendPort} http://127.0.0.1:1`, 't')
    const available = new Map([[`127.0.0.1:${backendPort}`, true]])
    if (mode === 'njs') writeFileSync(setup.stateFile, JSON.stringify(renderNjsState(nodes, available, { balance: 'random', staleAfterMs: 60_000 }, Date.now())))
    else writeFileSync(setup.upstreamFile, renderUpstream(nodes, available, { upstreamName: 'emqx_mqtt', balance: 'least_conn', zoneSize: '64k' }).text)
    await startNginx(t, nginx, setup, tcpPort)

    const plain = tcpConnect(tcpPort, '127.0.0.1')
    await once(plain, 'connect')
    const plainLocal = plain.localPort
    plain.write('MQTT-ISH')
    const secure = tlsConnect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false, servername: 'localhost' })
    await once(secure, 'secureConnect')
    const secureLocal = secure.localPort
    secure.write('MQTT-ISH')
    await waitFor(() => received.length, (n) => n >= 2, { what: 'both connections to reach the backend', timeoutMs: 5000 })
    const got = await Promise.all(received)
    t.equal(got.length, 2, 'both connections reached the backend')
    t.ok(got.includes(`PROXY TCP4 127.0.0.1 127.0.0.1 ${plainLocal} ${tcpPort}\r\nMQTT-ISH`), `TCP: PROXY header with the client's address first (${JSON.stringify(got)})`)
    t.ok(got.includes(`PROXY TCP4 127.0.0.1 127.0.0.1 ${secureLocal} ${tlsPort}\r\nMQTT-ISH`), 'TLS: terminated by nginx, plaintext with PROXY header to EMQX')
    plain.destroy()
    secure.destroy()
  })
}

t.test('the NGINX Plus and Tengine examples say plainly that they are untested here', async (t) => {
  for (const f of ['plus-stream.conf', 'tengine-stream.conf']) {
    const text = readFileSync(join(NGINX_DIR, f), 'utf8')
    t.match(text, /^# UNTESTED HERE/, f)
    t.match(text, /port=9183/, `${f} probes the sidecar port`)
  }
})

t.test('the Tengine example names the stream module it needs; the Plus example cites the stream docs for persistent', async (t) => {
  const tengine = readFileSync(join(NGINX_DIR, 'tengine-stream.conf'), 'utf8')
  t.match(tengine, /needs the third-party ngx_healthcheck_module/)
  t.match(tengine, /Stock Tengine is NOT enough/)
  const plus = readFileSync(join(NGINX_DIR, 'plus-stream.conf'), 'utf8')
  if (/\bpersistent\b/.test(plus.replace(/#.*$/gm, ''))) t.match(plus, /nginx\.org\/en\/docs\/stream\/ngx_stream_upstream_hc_module\.html/, '`persistent` is backed by the stream module docs')
})
