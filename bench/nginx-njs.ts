import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer, type Server } from 'node:net'
import { cpus, loadavg, release, tmpdir, type } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderNjsState } from '../src/nginx/njs-state.js'
import { parseNodesFlag } from '../src/nginx/nodes.js'
import { findBinary, freePort, stopChild } from './lib/proc.js'
import { summarize } from './lib/stats.js'
import { KEPT_MARKER } from './lib/kept.js'

/**
 * Per-connection cost of the njs mode: time from connect() to the first byte the backend sends (nginx
 * accepted, chose a node, connected to it; what an MQTT client waits before CONNACK, minus the broker),
 * through one nginx worker with njs/emqx-lb.js reading the state file, through the same nginx with a
 * static upstream, and straight to a backend. Connections one at a time, modes interleaved in rounds so
 * that noise falls on all of them alike. Prints a markdown section for bench/results.md.
 *   npm run build --silent && npx tsc -p bench/tsconfig.json && node bench/dist/bench/nginx-njs.js [connections per mode]
 */
const NJS = fileURLToPath(new URL('../../../nginx/njs/emqx-lb.js', import.meta.url))
const TOTAL = Number(process.argv[2] ?? 3000)
const ROUNDS = 10

async function backend (): Promise<Server> {
  const s = createServer((sock) => { sock.on('error', () => undefined); sock.end('x') })
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  return s
}

/** ms from connect() until the first byte arrives */
async function firstByte (port: number): Promise<number> {
  const t0 = performance.now()
  const s = connect({ port, host: '127.0.0.1' })
  s.on('error', () => undefined)
  await once(s, 'data')
  const ms = performance.now() - t0
  s.destroy()
  return ms
}

const nginx = findBinary('nginx')
if (nginx === undefined) { process.stderr.write('nginx is not installed (apt-get install nginx libnginx-mod-stream libnginx-mod-stream-js)\n'); process.exit(1) }
const backends = [await backend(), await backend(), await backend()]
const addresses = backends.map((b) => `127.0.0.1:${(b.address() as { port: number }).port}`)
const dir = mkdtempSync(join(tmpdir(), 'bench-njs-'))
chmodSync(dir, 0o711)
mkdirSync(join(dir, 'njs'))
copyFileSync(NJS, join(dir, 'njs', 'emqx-lb.js'))
const { nodes } = parseNodesFlag(addresses.map((a) => `${a} http://127.0.0.1:1`).join(','), 'bench')
writeFileSync(join(dir, 'state.json'), JSON.stringify(renderNjsState(nodes, new Map(addresses.map((a, i) => [a, i !== 1])), { balance: 'random', staleAfterMs: 3_600_000 }, Date.now())))
const njsPort = await freePort()
const staticPort = await freePort()
writeFileSync(join(dir, 'nginx.conf'), `load_module /usr/lib/nginx/modules/ngx_stream_module.so;
load_module /usr/lib/nginx/modules/ngx_stream_js_module.so;
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
stream {
  js_import emqx from ${dir}/njs/emqx-lb.js;
  js_var $emqx_lb_state ${dir}/state.json;
  js_var $emqx_lb_fallback emqx_mqtt_all;
  js_set $emqx_upstream emqx.upstream;
  upstream emqx_mqtt_all { zone emqx_mqtt_all 64k; least_conn; ${addresses.map((a) => `server ${a};`).join(' ')} }
  upstream emqx_mqtt { zone emqx_mqtt 64k; least_conn; ${addresses.map((a, i) => `server ${a}${i === 1 ? ' down' : ''};`).join(' ')} }
  server { listen 127.0.0.1:${njsPort}; proxy_pass $emqx_upstream; }
  server { listen 127.0.0.1:${staticPort}; proxy_pass emqx_mqtt; }
}
`)
const check = spawnSync(nginx, ['-t', '-p', `${dir}/`, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' })
if (check.status !== 0) { process.stderr.write(check.stderr); process.exit(1) }
const child = spawn(nginx, ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' })
try {
  for (let i = 0; i < 200; i++) { try { await firstByte(njsPort); await firstByte(staticPort); break } catch { await new Promise((resolve) => setTimeout(resolve, 20)) } }
  const modes = { njs: njsPort, static: staticPort, direct: Number(addresses[0]?.split(':')[1]) }
  const samples: Record<keyof typeof modes, number[]> = { njs: [], static: [], direct: [] }
  for (const port of Object.values(modes)) for (let i = 0; i < 100; i++) await firstByte(port) // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, port] of Object.entries(modes) as Array<[keyof typeof modes, number]>) {
      for (let i = 0; i < TOTAL / ROUNDS; i++) samples[name].push(await firstByte(port))
    }
  }
  const errors = readFileSync(join(dir, 'error.log'), 'utf8').split('\n').filter((l) => l.includes('[error]')).length
  const s = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)])) as Record<keyof typeof modes, ReturnType<typeof summarize>>
  const f = (x: number): string => x.toFixed(3)
  const cpu = cpus()
  const out = [
    '## 6. nginx with njs: per-connection cost',
    '',
    KEPT_MARKER,
    `Produced by \`bench/nginx-njs.ts\` (not part of \`npm run bench\`) on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores, ${type()} ${release()}, ${spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr.trim()}, njs 0.7.9; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
    `Time from \`connect()\` to the backend's first byte (ms), ${TOTAL} connections per mode, one at a time, modes interleaved in ${ROUNDS} rounds; one nginx worker; three backends, one of them unavailable.`,
    'njs reads and parses the state file for every new connection (njs 0.7 keeps nothing between connections).',
    '',
    '| path | p50 | p90 | p99 | max | mean |',
    '| --- | --- | --- | --- | --- | --- |',
    `| nginx + njs (\`proxy_pass $emqx_upstream\`, emqx-lb.js) | ${f(s.njs.p50)} | ${f(s.njs.p90)} | ${f(s.njs.p99)} | ${f(s.njs.max)} | ${f(s.njs.mean)} |`,
    `| nginx, static upstream (\`least_conn\`, one server \`down\`) | ${f(s.static.p50)} | ${f(s.static.p90)} | ${f(s.static.p99)} | ${f(s.static.max)} | ${f(s.static.mean)} |`,
    `| straight to a backend (no nginx) | ${f(s.direct.p50)} | ${f(s.direct.p90)} | ${f(s.direct.p99)} | ${f(s.direct.max)} | ${f(s.direct.mean)} |`,
    '',
    `njs adds ${f(s.njs.p50 - s.static.p50)} ms at p50 and ${f(s.njs.p99 - s.static.p99)} ms at p99 per new connection over the static upstream; errors in nginx's log: ${errors}.`,
    '',
  ].join('\n')
  process.stdout.write(out)
} finally {
  await stopChild(child, 'SIGTERM')
  for (const b of backends) b.close()
  rmSync(dir, { recursive: true, force: true })
}
