import type { Test } from 'tap'
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt'
import { freePort } from '../../src/demo/free-port.js'
import { startConnectCounter, type ConnectCounter } from './connect-counter.js'
import { startDouble, type EmqxDouble } from './emqx-double.js'
import { startMosquittos, type Mosquitto } from './mosquitto.js'
import { startSidecar, type SidecarProcess } from './sidecar-proc.js'

/**
 * One simulated EMQX node: mosquitto for its MQTT listener behind a hop that counts each CONNECT for the node's
 * EMQX API double (as EMQX counts `client.connect`), the double, and a sidecar process.
 */
export interface StackNode {
  readonly name: string
  readonly broker: Mosquitto
  /** the counting hop in front of the broker */
  readonly hop: ConnectCounter
  /** the node's MQTT port as a load balancer should use it: the hop's, so CONNECTs are counted */
  readonly mqttPort: number
  readonly sim: EmqxDouble
  readonly sidecar: SidecarProcess
  readonly agentPort: number
}

/** Starts `count` nodes with the sidecar's default timings (poll 1 s) so measured times match the docs. */
export async function startNodes (t: Test, dir: string, count: number, sidecarArgs: string[] | ((i: number) => string[]) = [],
  cluster = false): Promise<StackNode[] | undefined> {
  const brokers = await startMosquittos(t, dir, count)
  if (brokers === undefined) return undefined
  const names = brokers.map((_, i) => `emqx${i + 1}@127.0.0.1`)
  return await Promise.all(brokers.map(async (broker, i) => {
    // `cluster`: the simulated nodes see one another (GET /api/v5/cluster), as one EMQX cluster of `count`
    const peers = cluster ? { clusterPeers: names.filter((n) => n !== names[i]) } : {}
    const sim = await startDouble(t, { nodeName: `emqx${i + 1}@127.0.0.1`, ...peers })
    const hop = await startConnectCounter(t, broker.port, sim)
    const agentPort = await freePort()
    const args = typeof sidecarArgs === 'function' ? sidecarArgs(i) : sidecarArgs
    const sidecar = await startSidecar(t, ['--emqx-url', sim.url, '--agent-port', String(agentPort), '--shutdown-delay', '0s', ...args])
    await sidecar.waitForLog((l) => l.event === 'agent_listening', 5000, 'agent listening')
    return { name: `emqx${i + 1}`, broker, hop, mqttPort: hop.port, sim, sidecar, agentPort }
  }))
}

export interface TrackedClient {
  readonly id: string
  readonly client: MqttClient
  /** set when the connection closed (HAProxy or the broker cut it) */
  closedAt?: number
}

/** Connects one MQTT client without auto-reconnect, so a cut connection stays visible; ended when the test ends. */
export async function mqttClient (t: Test, url: string, id: string, extra: IClientOptions = {}): Promise<TrackedClient> {
  const client = await connectAsync(url, { clientId: id, reconnectPeriod: 0, connectTimeout: 5000, ...extra })
  const tracked: TrackedClient = { id, client }
  client.on('close', () => { tracked.closedAt ??= Date.now() })
  t.teardown(async () => { await client.endAsync(true) })
  return tracked
}

/** Proves a connection still carries traffic: subscribe to a private topic, publish to it, get it back. */
export async function roundTrip (c: TrackedClient, timeoutMs = 5000): Promise<void> {
  const topic = `e2e/${c.id}`
  await c.client.subscribeAsync(topic, { qos: 1 })
  const got = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no round trip on ${c.id} within ${timeoutMs}ms`)), timeoutMs)
    c.client.once('message', (tp) => { if (tp === topic) { clearTimeout(timer); resolve() } })
  })
  await c.client.publishAsync(topic, 'ping', { qos: 1 })
  await got
}
