import t from 'tap'
import { ADMIN_FMAINT, haproxyCommand } from '../../src/demo/haproxy.js'
import { startShippedHaproxy, waitForServer } from '../support/haproxy.js'
import { landedOn } from '../support/mosquitto.js'
import { mqttClient, roundTrip, startNodes, type StackNode, type TrackedClient } from '../support/mqtt-stack.js'
import { startSidecar } from '../support/sidecar-proc.js'
import { disconnect, reconnectAll, rememberClients, withGuideStickiness } from '../support/sticky.js'
import { tempDir } from '../support/tmpdir.js'

/**
 * Sticky clients and an evacuation, with the sidecar's defaults: real HAProxy 2.6 running the shipped agent-check
 * config with EMQX's guide's stick table added, and the shipped sticky recipe (haproxy/haproxy-sticky.cfg) as is;
 * three mosquitto brokers as the EMQX nodes' MQTT side, three EMQX API doubles, three sidecar processes, MQTT
 * clients with fixed client IDs. While a node evacuates, none of the clients HAProxy remembers for it reconnects to
 * it, new clients go elsewhere, and the connection already open to it stays open; a dead sidecar keeps it out;
 * `up ready` brings it back; a stopping sidecar moves its remembered clients too.
 */
const BOUND_MS = 10_000
const KNOWN = 9

const VARIANTS = [
  { name: 'haproxy-agent.cfg + the guide\'s stick table', config: 'haproxy-agent.cfg', edit: withGuideStickiness, death: 'SIGKILL' as const },
  { name: 'haproxy-sticky.cfg', config: 'haproxy-sticky.cfg', edit: (x: string) => x, death: 'SIGTERM' as const },
]

for (const v of VARIANTS) {
  t.test(`${v.name}, sidecar defaults: an evacuating node gets none of its remembered clients back and keeps its open connection`, async (t) => {
    const dir = tempDir(t)
    const nodes = await startNodes(t, dir, 3)
    if (nodes === undefined) return
    const lb = await startShippedHaproxy(t, dir, v.config, { servers: nodes.map((n) => ({ mqttPort: n.mqttPort, checkPort: n.agentPort })) }, v.edit)
    if (lb === undefined) return
    const { haproxy } = lb
    for (const n of nodes) await waitForServer(haproxy, n.name, (s) => s.status === 'UP', 'UP')
    const url = `mqtt://127.0.0.1:${lb.port}`
    const brokers = nodes.map((n) => n.broker)

    // 1. known clients connect once and leave (HAProxy remembers their nodes); one connection stays open
    const known = await rememberClients(t, url, brokers, Array.from({ length: KNOWN }, (_, i) => `known${i + 1}`))
    const open = await mqttClient(t, url, 'open')
    const target = await landedOn(brokers, open.id)
    const node = nodes[target] as StackNode
    const mine = known.on(target)
    t.ok(mine.length >= 2, `${mine.length} known clients first landed on ${node.name}`)
    const table = await haproxyCommand(haproxy.socketPath, 'show table emqx_mqtt')
    for (const id of mine) t.match(table, new RegExp(`key=${id} .*server_key=${node.name}\\b`), `HAProxy remembers ${id} on ${node.name}`)

    // 2. EMQX evacuates the node: HAProxy takes it out with the sidecar's default word
    node.sim.startEvacuation()
    const out = await waitForServer(haproxy, node.name, (s) => s.status === 'MAINT', 'MAINT (the sidecar\'s up maint)', BOUND_MS)
    t.equal(((await haproxy.adminStates('emqx_mqtt')).get(node.name) ?? 0) & ADMIN_FMAINT, ADMIN_FMAINT, `${out.status}: maintenance admin bit`)
    const back = await reconnectAll(t, url, brokers, mine)
    t.equal(back.filter((b) => b === target).length, 0, `0 of the ${mine.length} known clients that reconnect land on the evacuating node`)
    const fresh = await reconnectAll(t, url, brokers, ['new1', 'new2', 'new3'])
    t.same(fresh.filter((f) => f === target), [], 'new clients go elsewhere')
    t.equal(open.closedAt, undefined, 'the connection already open stays open')
    await roundTrip(open)

    // 3. its sidecar goes away (killed, or stopped by SIGTERM): HAProxy keeps the node in MAINT, out of rotation
    node.sidecar.child.kill(v.death)
    await node.sidecar.exited
    const gone = await waitForServer(haproxy, node.name, (s) => /CON|SOCK|L4/.test(s.agentStatus), 'a failed agent check against the gone sidecar', BOUND_MS)
    t.equal(gone.status, 'MAINT', `still MAINT with the sidecar gone (${v.death}, agent ${gone.agentStatus}): fail closed`)
    const still = await reconnectAll(t, url, brokers, mine)
    t.equal(still.filter((s) => s === target).length, 0, 'its known clients still go elsewhere')
    t.equal(open.closedAt, undefined, 'the open connection is still open')

    // 4. a sidecar again, and the evacuation ends: `up ready` undoes the maintenance, new clients come back
    const again = await startSidecar(t, ['--emqx-url', node.sim.url, '--agent-port', String(node.agentPort), '--shutdown-delay', '3s'])
    await again.waitForLog((l) => l.event === 'agent_listening', BOUND_MS, 'agent listening again')
    const readyAt = performance.now()
    node.sim.stopProcess()
    await waitForServer(haproxy, node.name, (s) => s.status === 'UP', 'UP again after up ready', BOUND_MS)
    t.comment(`${v.name}: EMQX 200 -> HAProxy UP out of MAINT: ${Math.round(performance.now() - readyAt)} ms`)
    // new clients stay connected, so leastconn sees the other nodes fill up (the node already holds `open`)
    let returned: TrackedClient | undefined
    for (let i = 1; i <= 6 && returned === undefined; i++) {
      const c = await mqttClient(t, url, `later${i}`)
      if (await landedOn(brokers, c.id) === target) returned = c
    }
    t.ok(returned !== undefined, `new clients reach ${node.name} again (${returned?.id ?? 'none'})`)
    t.equal(open.closedAt, undefined, 'the open connection survived the whole evacuation')
    if (returned === undefined) return

    // 5. a client remembered on the node, then its sidecar stops (SIGTERM): `maint #stopping` moves it too
    await disconnect(returned, brokers)
    const onIt = [returned.id]
    again.child.kill('SIGTERM')
    await waitForServer(haproxy, node.name, (s) => s.status === 'MAINT', 'MAINT while its sidecar stops', BOUND_MS)
    t.same((await reconnectAll(t, url, brokers, onIt)).filter((n) => n === target), [], 'a client remembered on a node whose sidecar stops goes elsewhere')
    t.equal(await again.exited, 0)
  })
}
