import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connectAsync, type MqttClient } from 'mqtt'
import { request } from 'undici'
import { requireBinary } from '../support/components.js'
import type { EmqxDouble } from '../support/emqx-double.js'
import { freePort } from '../../src/demo/free-port.js'
import { landedOn, startMosquittos } from '../support/mosquitto.js'
import { tempDir } from '../support/tmpdir.js'
import { prepareNginx, startNginx } from '../support/nginx-server.js'
import { runCli, startNodes, startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

/**
 * Open-source nginx (Debian's, with the shipped stream config) in front of three mosquitto brokers
 * standing in for EMQX's MQTT listeners; three EMQX API doubles, one real sidecar each, and the
 * nginx-sync command as a process. Only EMQX's API is a double.
 */
t.test('nginx-sync drains a node out of real nginx and brings it back; existing connections survive; all-draining keeps everyone', async (t) => {
  const nginx = requireBinary(t, 'nginx', 'nginx libnginx-mod-stream')
  if (nginx === undefined) return
  if (requireBinary(t, 'openssl', 'openssl') === undefined) return
  const brokers = await startMosquittos(t, tempDir(t), 3)
  if (brokers === undefined) return

  const { sims, sidecars } = await startNodes(t, 3, 100)
  const address = brokers.map((b) => `127.0.0.1:${b.port}`)
  const tcpPort = await freePort()
  const tlsPort = await freePort()
  const setup = prepareNginx(t, nginx, { tcpPort, tlsPort, proxyProtocol: false })
  const nodesFile = join(setup.dir, 'emqx-nodes.txt')
  writeFileSync(nodesFile, brokers.map((b, i) => `${address[i] ?? ''} ${sidecars[i]?.url ?? ''}\n`).join(''))
  const syncArgs = ['--nodes-file', nodesFile, '--output', setup.upstreamFile, '--check-command', setup.checkCommand]

  // Bootstrap as nginx/README.md says: write the upstream once before nginx starts.
  const boot = await runCli(['nginx-sync', '--once', ...syncArgs, '--reload-command', 'true', '--log-level', 'warn'])
  t.equal(boot.code, 0, `nginx-sync --once: ${boot.stderr}${boot.stdout}`)
  const ngx = await startNginx(t, nginx, setup, tcpPort)
  const sync = await startSidecar(t, [...syncArgs, '--reload-command', setup.reloadCommand, '--poll-interval', '100ms', '--probe-timeout', '300ms',
    '--settle', '300ms', '--min-reload-interval', '500ms'], {}, ['nginx-sync'])
  await waitFor(() => sync.logs.filter((l) => l.event === 'node').length, (n) => n >= 3, { what: 'first poll of all three sidecars' })
  t.notOk(sync.logs.some((l) => l.event === 'reloaded'), 'unchanged upstream at start: no reload')

  const clients: MqttClient[] = []
  const closed = new Set<string>()
  t.teardown(async () => { await Promise.all(clients.map(async (c) => await c.endAsync(true))) })
  const ca = readFileSync(join(setup.dir, 'certs', 'mqtt.crt'))
  let n = 0
  /** connects through nginx (alternating plain TCP and TLS) and returns the broker index it landed on */
  const connectVia = async (id: string): Promise<number> => {
    const tls = n++ % 2 === 1
    const c = await connectAsync(tls ? `mqtts://127.0.0.1:${tlsPort}` : `mqtt://127.0.0.1:${tcpPort}`, { clientId: id, reconnectPeriod: 0, connectTimeout: 5000, ...(tls ? { ca } : {}) })
    clients.push(c)
    c.on('close', () => closed.add(id))
    return await landedOn(brokers, id)
  }
  const spread = async (prefix: string, count: number): Promise<number[]> => {
    const landed: number[] = []
    for (let i = 1; i <= count; i++) landed.push(await connectVia(`${prefix}${i}`))
    return landed
  }
  const reloadDone = async (reloads: number, what: string): Promise<void> => {
    await waitFor(() => ngx.reloaded(reloads), (done) => done, { what: `nginx reload ${reloads} to take effect (${what})`, timeoutMs: 10_000 })
  }

  // 1. spread over three nodes
  const first = await spread('a', 6)
  for (let b = 0; b < 3; b++) t.ok(first.includes(b), `node ${b + 1} gets connections (${JSON.stringify(first)})`)
  const onNode2 = first.flatMap((b, i) => b === 1 ? [`a${i + 1}`] : [])

  // 2. evacuate node 2: nginx stops sending it new connections
  const t0 = performance.now()
  ;(sims[1] as EmqxDouble).startEvacuation({ wait_health_check: 10 })
  await sync.waitForLog((l) => l.event === 'reloaded' && Array.isArray(l.down) && l.down.includes(address[1]), 10_000, 'reload with node 2 down')
  const syncMs = performance.now() - t0
  await reloadDone(1, 'drain')
  const drainMs = performance.now() - t0
  t.match(readFileSync(setup.upstreamFile, 'utf8'), new RegExp(`server ${address[1]} down;`))
  t.ok(drainMs < 10_000, `evacuation -> nginx stopped sending new connections to node 2 in ${Math.round(drainMs)} ms (nginx-sync reload after ${Math.round(syncMs)} ms), inside the seed's 10 s wait_health_check`)
  t.comment(`MEASURED drain-to-nginx: ${Math.round(drainMs)} ms (sidecar poll 100ms, sync poll 100ms, settle 300ms; reload issued at ${Math.round(syncMs)} ms)`)
  const during = await spread('b', 6)
  t.notOk(during.includes(1), `no new connection reaches node 2 while it drains (${JSON.stringify(during)})`)
  t.ok(during.includes(0) && during.includes(2), 'nodes 1 and 3 take them')

  // 3. the node-2 connections made before the reload survive it and still work end to end
  const direct = await connectAsync(`mqtt://127.0.0.1:${brokers[1]?.port ?? 0}`, { clientId: 'observer2', reconnectPeriod: 0 })
  clients.push(direct)
  const seen: string[] = []
  direct.on('message', (_topic, payload) => { seen.push(payload.toString()) })
  await direct.subscribeAsync('e2e/#', { qos: 1 })
  t.ok(onNode2.length > 0, 'some clients were on node 2 before the drain')
  for (const id of onNode2) {
    const c = clients.find((x) => x.options.clientId === id)
    t.ok(c?.connected === true && !closed.has(id), `${id} is still connected after the reload`)
    await c?.publishAsync(`e2e/${id}`, `still here ${id}`, { qos: 1 })
  }
  await waitFor(() => seen.length, (k) => k >= onNode2.length, { what: 'messages from the surviving node-2 clients at broker 2' })
  t.same(seen.sort(), onNode2.map((id) => `still here ${id}`).sort(), 'their messages reach node 2 through the old nginx worker')

  // 4. restore: node 2 gets new connections again
  const t1 = performance.now()
  ;(sims[1] as EmqxDouble).stopProcess()
  await sync.waitForLog((l) => l.event === 'reloaded' && Array.isArray(l.down) && l.down.length === 0, 10_000, 'reload with every node in')
  await reloadDone(2, 'restore')
  const restoreMs = performance.now() - t1
  t.comment(`MEASURED restore-to-nginx: ${Math.round(restoreMs)} ms`)
  const after = await spread('c', 3)
  t.ok(after.includes(1), `node 2 gets connections again (${JSON.stringify(after)})`, { diag: { upstream: readFileSync(setup.upstreamFile, 'utf8'), errorLog: ngx.errorLog(), sync: sync.logs.filter((l) => l.event !== undefined) } })
  for (const id of onNode2) t.notOk(closed.has(id), `${id} survived the second reload too`)

  // 5. every node draining: nginx keeps all of them, with a loud, counted warning
  for (const sim of sims) sim.startEvacuation()
  const warn = await sync.waitForLog((l) => l.event === 'failsafe', 10_000, 'fail-safe warning')
  t.equal(warn.level, 'warn')
  t.match(warn.msg, /FAIL-SAFE.*keeping ALL nodes/)
  const status = await waitFor(async () => await (await request(`${sync.url}/status`)).body.json() as { failsafe: boolean, pending: unknown },
    (s) => s.failsafe && s.pending === null, { what: 'fail-safe applied (nothing pending)', timeoutMs: 10_000 })
  t.equal(status.failsafe, true)
  t.notMatch(readFileSync(setup.upstreamFile, 'utf8'), /down;/, 'no server is marked down')
  const metrics = await (await request(`${sync.url}/metrics`)).body.text()
  t.match(metrics, /emqx_lb_sidecar_nginx_sync_failsafe_entered_total 1/)
  t.match(metrics, /emqx_lb_sidecar_nginx_sync_failsafe 1/)
  t.match(metrics, /emqx_lb_sidecar_nginx_sync_updates_total\{result="check_failed"\} 0/)
  const last = await connectVia('d1')
  t.ok(last >= 0, 'clients still get a node while every node drains')
  t.equal(closed.size, 0, 'no client connection was closed by any reload')
})
