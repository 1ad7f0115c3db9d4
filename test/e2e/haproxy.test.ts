import t, { type Test } from 'tap'
import { ADMIN_FMAINT } from '../../src/demo/haproxy.js'
import { startShippedHaproxy, waitForServer, type ServerStat } from '../support/haproxy.js'
import { landedOn } from '../support/mosquitto.js'
import { mqttClient, roundTrip, startNodes, type TrackedClient } from '../support/mqtt-stack.js'
import { selfSignedPem } from '../support/tls.js'
import { tempDir } from '../support/tmpdir.js'

/**
 * Real HAProxy running the shipped configs (ports localized only), three mosquitto brokers as the MQTT
 * side of three EMQX nodes, three EMQX API doubles, three sidecar processes, real MQTT clients.
 * Proves the five points of the HAProxy issue for the agent-check and the httpchk configs.
 */
const GENEROUS_MS = 10_000 // the EMQX docs' wait_health_check: the whole budget, not a speed target

interface Variant { readonly config: string, readonly drained: (s: ServerStat) => boolean, readonly shows: string, readonly port: 'agent' | 'http' }
const VARIANTS: Variant[] = [
  { config: 'haproxy-agent.cfg', drained: (s) => s.status === 'MAINT', shows: 'MAINT', port: 'agent' },
  { config: 'haproxy-httpchk.cfg', drained: (s) => s.status.startsWith('DOWN'), shows: 'DOWN', port: 'http' },
]

for (const v of VARIANTS) {
  t.test(`${v.config}: a draining EMQX node gets no new MQTT connections and keeps its existing ones`, async (t) => {
    const dir = tempDir(t)
    // a shutdown delay longer than one check interval, so step 6 can watch HAProxy see `stopping`
    const nodes = await startNodes(t, dir, 3, ['--shutdown-delay', '3s'])
    if (nodes === undefined) return
    const lb = await startShippedHaproxy(t, dir, v.config, { servers: nodes.map((n) => ({ mqttPort: n.mqttPort, checkPort: v.port === 'agent' ? n.agentPort : n.sidecar.port })) })
    if (lb === undefined) return
    const { haproxy } = lb
    const brokers = nodes.map((n) => n.broker)
    for (const n of nodes) await waitForServer(haproxy, n.name, (s) => s.status === 'UP', 'UP')

    let seq = 0
    const connect = async (): Promise<{ c: TrackedClient, node: number }> => {
      const c = await mqttClient(t, `mqtt://127.0.0.1:${lb.port}`, `${v.port}-c${++seq}`)
      return { c, node: await landedOn(brokers, c.id) }
    }

    // 1. all up: new connections spread over all three brokers (leastconn: 2 each)
    const first: Array<{ c: TrackedClient, node: number }> = []
    for (let i = 0; i < 6; i++) first.push(await connect())
    t.same(nodes.map((_, i) => first.filter((f) => f.node === i).length), [2, 2, 2], 'six connections spread 2/2/2')

    // 2. node 2's EMQX starts an evacuation: HAProxy takes it out, new connections go to nodes 1 and 3
    const flip = performance.now()
    nodes[1]?.sim.startEvacuation()
    const seen = await waitForServer(haproxy, 'emqx2', v.drained, v.shows, GENEROUS_MS)
    const outMs = performance.now() - flip
    t.ok(v.drained(seen), `HAProxy shows emqx2 as ${seen.status}`)
    const admin = (await haproxy.adminStates('emqx_mqtt')).get('emqx2') ?? -1
    if (v.port === 'agent') t.equal(admin & ADMIN_FMAINT, ADMIN_FMAINT, 'the agent\'s maint sets the maintenance admin bit (show servers state)')
    else t.equal(admin, 0, 'httpchk leaves the admin state alone: the server is DOWN, not drained')
    t.comment(`${v.config}: EMQX 503 -> HAProxy ${seen.status}: ${Math.round(outMs)} ms`)
    const during: Array<{ c: TrackedClient, node: number }> = []
    for (let i = 0; i < 6; i++) during.push(await connect())
    t.same(during.map((d) => d.node).filter((n) => n === 1), [], 'no new connection lands on node 2 while it drains')

    // 3. connections already on node 2 stay open and keep working
    const onNode2 = first.filter((f) => f.node === 1)
    for (const { c } of onNode2) {
      t.equal(c.closedAt, undefined, `${c.id} was not cut`)
      t.ok(nodes[1]?.broker.clients.has(c.id), `${c.id} still connected on broker 2`)
      await roundTrip(c)
    }

    // 4. the evacuation stops: node 2 gets new connections again (it has the fewest, so leastconn picks it)
    const back = performance.now()
    nodes[1]?.sim.stopProcess()
    await waitForServer(haproxy, 'emqx2', (s) => s.status === 'UP', 'UP again', GENEROUS_MS)
    const inMs = performance.now() - back
    t.comment(`${v.config}: EMQX 200 -> HAProxy UP: ${Math.round(inMs)} ms`)
    const after = [await connect(), await connect()]
    t.same(after.map((a) => a.node), [1, 1], 'the next connections land on node 2 again')

    // 5. the measured figures, bounded only by the whole wait_health_check budget
    t.ok(outMs < GENEROUS_MS, `out of rotation within wait_health_check (${Math.round(outMs)} ms)`)

    // 6. the sidecar itself stops (SIGTERM, e.g. a rolling update): HAProxy takes the node out for new
    //    connections, keeps it out after the sidecar is gone, and still cuts nobody
    const n3 = nodes[2]
    if (n3 === undefined) return
    n3.sidecar.child.kill('SIGTERM')
    const stopping = await waitForServer(haproxy, 'emqx3', v.drained, `${v.shows} while its sidecar stops`, GENEROUS_MS)
    t.comment(`${v.config}: sidecar stopping -> HAProxy ${stopping.status}`)
    t.equal(await n3.sidecar.exited, 0)
    const gone = await waitForServer(haproxy, 'emqx3', (s) => /CON|SOCK|L4/.test(v.port === 'agent' ? s.agentStatus : s.checkStatus), 'a failed check against the gone sidecar', GENEROUS_MS)
    t.ok(v.drained(gone), `still ${gone.status} with the sidecar gone (${v.port === 'agent' ? gone.agentStatus : gone.checkStatus})`)
    // counts are 5/4/5: four more connections would give node 3 at least one if it were in rotation
    const late = [await connect(), await connect(), await connect(), await connect()]
    t.same(late.filter((l) => l.node === 2).map((l) => l.c.id), [], 'no new connection lands on the node whose sidecar is gone')
    t.same([...first, ...during, ...after, ...late].filter((x) => x.c.closedAt !== undefined).map((x) => x.c.id), [], 'HAProxy cut no connection')
  })
}

t.test('haproxy-tls.cfg: MQTT over TLS through HAProxy reaches the brokers, drain included', async (t: Test) => {
  const dir = tempDir(t)
  const pem = selfSignedPem(t, dir)
  if (pem === undefined) return
  const nodes = await startNodes(t, dir, 3)
  if (nodes === undefined) return
  const lb = await startShippedHaproxy(t, dir, 'haproxy-tls.cfg', { certFile: pem, servers: nodes.map((n) => ({ mqttPort: n.mqttPort, checkPort: n.agentPort })) })
  if (lb === undefined) return
  for (const n of nodes) await waitForServer(lb.haproxy, n.name, (s) => s.status === 'UP', 'UP')
  nodes[2]?.sim.becomeDonor()
  await waitForServer(lb.haproxy, 'emqx3', (s) => s.status === 'MAINT', 'MAINT (rebalance donor)', GENEROUS_MS)
  const landed: number[] = []
  for (let i = 0; i < 4; i++) {
    const c = await mqttClient(t, `mqtts://127.0.0.1:${lb.port}`, `tls-c${i}`, { rejectUnauthorized: false })
    landed.push(await landedOn(nodes.map((n) => n.broker), c.id))
  }
  t.same(landed.slice().sort(), [0, 0, 1, 1], 'TLS clients spread over the two nodes that are not donors')
})
