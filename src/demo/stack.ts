import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { loadServeConfig } from '../config/serve-config.js'
import { startSidecar, type Sidecar } from '../main.js'
import { controlInterceptor } from '../emqx-double/control.js'
import { EmqxDouble } from '../emqx-double/double.js'
import { ConnectCounter } from './connect-counter.js'
import { freePort } from './free-port.js'
import { Haproxy } from './haproxy.js'
import { localizeHaproxyConfig } from './haproxy-config.js'
import { Mosquitto } from './mosquitto.js'
import type { AgentDrainWord } from '../config/serve-types.js'

/** The shipped HAProxy configs, as installed next to dist/. */
export const SHIPPED_HAPROXY_DIR = fileURLToPath(new URL('../../haproxy/', import.meta.url))

export interface DemoNode {
  readonly name: string
  readonly broker: Mosquitto
  /** HAProxy's server for this node: counts each CONNECT for the node's simulated EMQX, then the broker */
  readonly hop: ConnectCounter
  readonly sim: EmqxDouble
  readonly sidecar: Sidecar
  /** the sidecar's --agent-drain-word, so the demo screen shows the line the agent sends */
  readonly drainWord: AgentDrainWord
}

export interface DemoStack {
  readonly nodes: readonly DemoNode[]
  readonly haproxy: Haproxy
  readonly mqttPort: number
  readonly configName: string
  stop: () => Promise<void>
}

export interface StackOptions {
  readonly haproxyBin: string
  readonly mosquittoBin: string
  readonly configName: string
  readonly mqttPort: number
  readonly nodeCount: number
}

/**
 * Starts the whole rehearsal on loopback: per node a mosquitto broker (the MQTT listener) behind a hop that
 * counts its CONNECTs for the node's simulated EMQX API (./connect-counter.ts), that API and an in-process
 * sidecar; then HAProxy running a shipped config with localized ports, its servers the hops.
 * Everything started so far is stopped again if a later step fails.
 */
export async function startDemoStack (o: StackOptions): Promise<DemoStack> {
  const dir = mkdtempSync(join(tmpdir(), 'emqx-lb-demo-'))
  const undo: Array<() => Promise<void>> = [async () => { rmSync(dir, { recursive: true, force: true }) }]
  const stop = async (): Promise<void> => { for (const u of undo.splice(0).reverse()) await u().catch(() => {}) }
  try {
    const nodes: DemoNode[] = []
    const agentPorts: number[] = []
    for (let i = 1; i <= o.nodeCount; i++) {
      const broker = await Mosquitto.start(o.mosquittoBin, dir, await freePort(), `emqx${i}`)
      undo.push(async () => { await broker.stop() })
      const names = Array.from({ length: o.nodeCount }, (_, k) => `emqx${k + 1}@127.0.0.1`)
      const sim = new EmqxDouble({ nodeName: `emqx${i}@127.0.0.1`, clusterPeers: names.filter((n) => n !== `emqx${i}@127.0.0.1`) })
      sim.intercept = controlInterceptor(sim)
      await sim.listen()
      undo.push(async () => { await sim.close() })
      const hop = await ConnectCounter.start(broker.port, sim)
      undo.push(async () => { await hop.stop() })
      const agentPort = await freePort()
      const { config } = loadServeConfig(['--emqx-url', sim.url, '--emqx-username', 'admin', '--emqx-password', 'public',
        '--host', '127.0.0.1', '--port', '0', '--agent-port', String(agentPort), '--shutdown-delay', '0s', '--log-level', 'silent',
        // membership: a node cut off from the others (key c) drains as not_in_cluster
        '--expect-cluster-size', String(o.nodeCount), '--cluster-interval', '1s'], {})
      const sidecar = await startSidecar(config, pino({ level: 'silent' }))
      undo.push(async () => { await sidecar.shutdown('demo end') })
      nodes.push({ name: `emqx${i}`, broker, hop, sim, sidecar, drainWord: config.agentDrainWord })
      agentPorts.push(agentPort)
    }
    const mqttPort = o.mqttPort !== 0 ? o.mqttPort : await freePort()
    const agent = /agent-check/.test(readFileSync(join(SHIPPED_HAPROXY_DIR, o.configName), 'utf8'))
    const configFile = join(dir, o.configName)
    const statsSocket = join(dir, 'admin.sock')
    writeFileSync(configFile, localizeHaproxyConfig(readFileSync(join(SHIPPED_HAPROXY_DIR, o.configName), 'utf8'), {
      listenPort: mqttPort,
      statsSocket,
      servers: nodes.map((n, i) => ({ mqttPort: n.hop.port, checkPort: agent ? agentPorts[i] ?? 0 : n.sidecar.httpPort })),
    }))
    const haproxy = await Haproxy.start(o.haproxyBin, configFile, statsSocket)
    undo.push(async () => { await haproxy.stop() })
    return { nodes, haproxy, mqttPort, configName: o.configName, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
