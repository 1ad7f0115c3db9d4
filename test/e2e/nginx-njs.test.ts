import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '../../src/demo/free-port.js'
import { requireBinary } from '../support/components.js'
import type { EmqxDouble } from '../support/emqx-double.js'
import { landedOn, startMosquittos } from '../support/mosquitto.js'
import { mqttClient, roundTrip, type TrackedClient } from '../support/mqtt-stack.js'
import { prepareNginx, requireNjs, startNginx, workerGenerations } from '../support/nginx-server.js'
import { startNodes, startSidecar } from '../support/sidecar-proc.js'
import { tempDir } from '../support/tmpdir.js'
import { waitFor } from '../support/wait.js'

// Default timings, so the figures match nginx/README.md: sidecar poll 1 s + nginx-sync poll 1 s, plus 1 s
// for requests and a loaded machine: a donor must be out of njs's choice within this of EMQX's flip.
const SIDECAR_POLL_MS = 1000
const SYNC_POLL_MS = 1000
const DRAIN_BOUND_MS = SIDECAR_POLL_MS + SYNC_POLL_MS + 1000

interface State { nodes: Array<{ address: string, available: boolean }> }

/**
 * The reload-free mode end to end: real nginx + njs (the shipped nginx-njs.conf / emqx-stream-njs.conf /
 * njs/emqx-lb.js), three mosquitto brokers standing in for EMQX's MQTT listeners, three EMQX API doubles
 * with a real sidecar each, and `nginx-sync --njs-state` as a process. Repeated drains and restores:
 * the donor gets no new connection, every existing connection stays and works, nginx is never reloaded.
 */
t.test('nginx + njs: drains and restores without a reload; no existing connection is touched', async (t) => {
  const nginx = requireBinary(t, 'nginx', 'nginx libnginx-mod-stream libnginx-mod-stream-js')
  if (nginx === undefined || requireBinary(t, 'openssl', 'openssl') === undefined || !requireNjs(t)) return
  const brokers = await startMosquittos(t, tempDir(t), 3)
  if (brokers === undefined) return
  const { sims, sidecars } = await startNodes(t, 3, SIDECAR_POLL_MS)
  const address = brokers.map((b) => `127.0.0.1:${b.port}`)
  const tcpPort = await freePort()
  const tlsPort = await freePort()
  const setup = prepareNginx(t, nginx, { tcpPort, tlsPort, proxyProtocol: false, njsFallback: address })
  const nodesFile = join(setup.dir, 'emqx-nodes.txt')
  writeFileSync(nodesFile, address.map((a, i) => `${a} ${sidecars[i]?.url ?? ''}\n`).join(''))
  const sync = await startSidecar(t, ['--nodes-file', nodesFile, '--njs-state', setup.stateFile, '--poll-interval', `${SYNC_POLL_MS}ms`], {}, ['nginx-sync'])
  const state = (): State => JSON.parse(readFileSync(setup.stateFile, 'utf8')) as State
  const availableIs = async (node: number, want: boolean, what: string): Promise<void> => {
    await waitFor(state, (s) => s.nodes[node]?.available === want, { what, timeoutMs: 10_000 })
  }
  for (let i = 0; i < 3; i++) await availableIs(i, true, `node ${i + 1} available in the state`)
  const ngx = await startNginx(t, nginx, setup, tcpPort)
  const workers = ngx.workers()
  t.ok(workers.length > 0, `nginx workers ${JSON.stringify(workers)}`)

  const ca = readFileSync(join(setup.dir, 'certs', 'mqtt.crt'))
  const clients: Array<TrackedClient & { node: number }> = []
  let n = 0
  const connectVia = async (id: string): Promise<number> => {
    const tls = n++ % 2 === 1
    const c = await mqttClient(t, tls ? `mqtts://127.0.0.1:${tlsPort}` : `mqtt://127.0.0.1:${tcpPort}`, id, tls ? { ca } : {})
    const node = await landedOn(brokers, id)
    clients.push(Object.assign(c, { node }))
    return node
  }
  const spread = async (prefix: string, count: number): Promise<number[]> => {
    const landed: number[] = []
    for (let i = 1; i <= count; i++) landed.push(await connectVia(`${prefix}${i}`))
    return landed
  }

  // weighted random: keep connecting until every node has clients (9 of 3 equal nodes miss one 8% of the time)
  const first = await spread('a', 9)
  for (let i = 10; i <= 40 && new Set(first).size < 3; i++) first.push(await connectVia(`a${i}`))
  for (let b = 0; b < 3; b++) t.ok(first.includes(b), `node ${b + 1} gets connections (${JSON.stringify(first)})`)

  const drains: number[] = []
  const restores: number[] = []
  const cycles: Array<[number, (s: EmqxDouble) => void, string]> = [
    [1, (s) => s.becomeDonor(), 'rebalance donor'], [2, (s) => s.startEvacuation({ wait_health_check: 10 }), 'evacuation'], [1, (s) => s.startEvacuation(), 'evacuation again'],
  ]
  for (const [cycle, [donor, flip, how]] of cycles.entries()) {
    const sim = sims[donor] as EmqxDouble
    const before = clients.filter((c) => c.node === donor)
    const t0 = performance.now()
    flip(sim)
    await availableIs(donor, false, `node ${donor + 1} (${how}) unavailable in the state`)
    const drainMs = performance.now() - t0
    drains.push(drainMs)
    t.ok(drainMs <= DRAIN_BOUND_MS, `cycle ${cycle + 1}: ${how} of node ${donor + 1} -> out of njs's choice in ${Math.round(drainMs)} ms (bound ${DRAIN_BOUND_MS} ms)`)
    const during = await spread(`d${cycle}-`, 9)
    t.notOk(during.includes(donor), `cycle ${cycle + 1}: no new connection reaches the donor (${JSON.stringify(during)})`)
    t.ok(before.length > 0, `cycle ${cycle + 1}: the donor had clients before the flip`)
    const lost: string[] = []
    for (const c of before) await roundTrip(c).catch((err: unknown) => { lost.push(`${c.id}: ${String(err)}`) })
    t.same(lost, [], `cycle ${cycle + 1}: the donor's ${before.length} existing clients still carry messages`)

    const t1 = performance.now()
    sim.stopProcess()
    await availableIs(donor, true, `node ${donor + 1} available again`)
    restores.push(performance.now() - t1)
    let back = false
    for (let i = 1; i <= 40 && !back; i++) back = await connectVia(`r${cycle}-${i}`) === donor
    t.ok(back, `cycle ${cycle + 1}: node ${donor + 1} gets new connections again`)
    t.same(clients.filter((c) => c.closedAt !== undefined).map((c) => c.id), [], `cycle ${cycle + 1}: no connection closed anywhere`)
  }

  t.same(ngx.workers(), workers, 'the same nginx worker processes throughout: nginx was never reloaded')
  t.equal(workerGenerations(ngx.errorLog()).length, 1, 'nginx logged no reconfiguration')
  t.notMatch(ngx.errorLog(), /emqx-lb:/, 'njs logged no error (the state was never missing or stale)')
  t.notOk(sync.logs.some((l) => l.event === 'reloaded'), 'nginx-sync never ran a reload')
  for (const c of clients) await roundTrip(c)
  t.equal(clients.filter((c) => c.closedAt !== undefined).length, 0, `all ${clients.length} connections open and working at the end: zero collateral disconnects`)
  const fmt = (xs: number[]): string => xs.map((x) => Math.round(x)).join(', ')
  t.comment(`MEASURED njs drain (EMQX flip -> state file without the node; defaults: sidecar poll 1 s, nginx-sync poll 1 s): ${fmt(drains)} ms`)
  t.comment(`MEASURED njs restore (EMQX 200 again -> state file with the node): ${fmt(restores)} ms`)
})
