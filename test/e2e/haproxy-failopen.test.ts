import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect as connect_ } from 'mqtt'
import { freePort } from '../../src/demo/free-port.js'
import { localizeHaproxyConfig } from '../../src/demo/haproxy-config.js'
import { requireBinary } from '../support/components.js'
import { Haproxy, checkHaproxyConfig, shippedConfig, waitForServer } from '../support/haproxy.js'
import { landedOn } from '../support/mosquitto.js'
import { mqttClient, roundTrip, startNodes } from '../support/mqtt-stack.js'
import { tempDir } from '../support/tmpdir.js'

/** The commented opt-in block of haproxy-agent.cfg, uncommented: exactly what its comment tells users to do. */
function enableFailOpen (text: string): string {
  let n = 0
  const out = text.replace(/^(\s*)# ((?:option allbackups|server \S+-failopen .*))$/gm, (_m, indent: string, line: string) => { n++; return `${indent}${line}` })
  if (n !== 4) throw new Error(`haproxy-agent.cfg: expected 4 opt-in fail-open lines, found ${n}`)
  return out
}

/**
 * Real HAProxy 2.6, the shipped agent config as is and with its opt-in fail-open uncommented, in front of
 * the same three nodes (mosquitto + EMQX double + sidecar). Every node drains: the stock config refuses new
 * clients, the opt-in one sends them to the nodes (like nginx-sync and AWS NLB); with a node available again
 * the backups carry nothing new.
 */
t.test('haproxy-agent.cfg: every node draining refuses new clients; the opt-in fail-open keeps them coming', async (t) => {
  const bin = requireBinary(t, 'haproxy', 'haproxy')
  if (bin === undefined) return
  const dir = tempDir(t)
  const nodes = await startNodes(t, dir, 3)
  if (nodes === undefined) return
  const servers = nodes.map((n) => ({ mqttPort: n.mqttPort, checkPort: n.agentPort }))
  const start = async (name: string, text: string): Promise<{ h: Haproxy, port: number }> => {
    const sub = join(dir, name)
    mkdirSync(sub)
    const port = await freePort()
    const file = join(sub, 'haproxy.cfg')
    writeFileSync(file, localizeHaproxyConfig(text, { servers, listenPort: port, statsSocket: join(sub, 'admin.sock') }))
    const check = await checkHaproxyConfig(bin, file)
    t.equal(check.code, 0, `${name}: haproxy -c: ${check.output}`)
    t.notMatch(check.output, /\[WARNING\]|\[ALERT\]/, `${name}: no warnings`)
    const h = await Haproxy.start(bin, file, join(sub, 'admin.sock'))
    t.teardown(async () => { await h.stop() })
    return { h, port }
  }
  const stock = await start('stock', shippedConfig('haproxy-agent.cfg'))
  const open = await start('failopen', enableFailOpen(shippedConfig('haproxy-agent.cfg')))
  for (const lb of [stock, open]) for (const n of nodes) await waitForServer(lb.h, n.name, (s) => s.status === 'UP', 'UP')
  for (const n of nodes) await waitForServer(open.h, `${n.name}-failopen`, (s) => s.status === 'UP', 'UP (backup, L4 check only)')
  const brokers = nodes.map((n) => n.broker)
  let seq = 0
  const connect = async (port: number) => { const c = await mqttClient(t, `mqtt://127.0.0.1:${port}`, `fo-${++seq}`); return { c, node: await landedOn(brokers, c.id) } }

  const before = [await connect(stock.port), await connect(open.port)]
  const backupSessions = async (): Promise<number> => (await open.h.stats()).filter((s) => s.server.endsWith('-failopen')).reduce((a, s) => a + s.stot, 0)
  t.equal(await backupSessions(), 0, 'with nodes available the backups get nothing')

  for (const n of nodes) n.sim.startEvacuation()
  for (const lb of [stock, open]) for (const n of nodes) await waitForServer(lb.h, n.name, (s) => s.status === 'MAINT', 'MAINT (the agent\'s maint)', 10_000)

  // stock: HAProxy has no server for the client and closes the connection before any CONNACK
  const refused = connect_(`mqtt://127.0.0.1:${stock.port}`, { clientId: 'refused', reconnectPeriod: 0, connectTimeout: 5000 })
  const outcome = await new Promise<string>((resolve) => { refused.once('connect', () => resolve('connected')); refused.once('close', () => resolve('closed')) })
  refused.end(true)
  t.equal(outcome, 'closed', 'stock config: every node out of rotation -> the new client is refused (closed before CONNACK)')
  // opt-in: the backups take it
  const during = await connect(open.port)
  t.ok(during.node >= 0, `opt-in fail-open: the new client lands on node ${during.node + 1}`)
  t.ok(await backupSessions() >= 1, 'through a fail-open backup')
  for (const b of before) { t.equal(b.c.closedAt, undefined, `${b.c.id} still connected`); await roundTrip(b.c) }

  // one node back: it takes the new clients, the backups nothing more
  nodes[2]?.sim.stopProcess()
  await waitForServer(open.h, 'emqx3', (s) => s.status === 'UP', 'UP again', 10_000)
  const used = await backupSessions()
  for (let i = 0; i < 3; i++) t.equal((await connect(open.port)).node, 2, 'a node available again takes every new client')
  t.equal(await backupSessions(), used, 'the backups get nothing while a node is available')
})
