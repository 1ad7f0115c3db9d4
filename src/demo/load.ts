import mqtt, { type MqttClient } from 'mqtt'
import type { DemoNode } from './stack.js'

/**
 * The demo's MQTT clients and its stand-in for EMQX's connection eviction. mosquitto cannot evict, so
 * while a simulated node is an evacuating node or a rebalance donor and its wait_health_check is over,
 * the demo closes that node's clients at `evictPerSecond` and they reconnect through HAProxy, as EMQX's
 * evicted clients do. Which client sits on which broker comes from the brokers' own logs.
 */
export class DemoLoad {
  readonly #clients = new Map<string, MqttClient>()
  readonly #nodes: readonly DemoNode[]
  readonly #since = new Map<string, number>()
  #timer: NodeJS.Timeout | undefined
  readonly waitHealthCheckMs: number
  readonly evictPerSecond: number

  constructor (nodes: readonly DemoNode[], o: { waitHealthCheckMs: number, evictPerSecond: number }) {
    this.#nodes = nodes
    this.waitHealthCheckMs = o.waitHealthCheckMs
    this.evictPerSecond = o.evictPerSecond
  }

  start (url: string, count: number): void {
    for (let i = 1; i <= count; i++) {
      const id = `demo-client-${i}`
      // reconnect after ~1 s, like a device whose broker went away; jitter keeps them from moving in lockstep
      const reconnectPeriod = 700 + Math.floor(Math.random() * 600)
      const c = mqtt.connect(url, { clientId: id, reconnectPeriod, connectTimeout: 5000, keepalive: 30 })
      c.on('error', () => {})
      this.#clients.set(id, c)
    }
    this.#timer = setInterval(() => { this.#tick() }, Math.max(20, Math.round(1000 / this.evictPerSecond)))
  }

  get connected (): number { let n = 0; for (const c of this.#clients.values()) if (c.connected) n++; return n }

  #tick (): void {
    const now = Date.now()
    const counts = this.#nodes.map((n) => n.broker.clients.size)
    this.#nodes.forEach((node, i) => {
      const { sim, broker } = node
      sim.counts.connections = broker.clients.size
      sim.counts.sessions = broker.clients.size
      const p = sim.process
      const key = `${node.name}:${p.kind}`
      if (p.kind !== 'evacuation' && !(p.kind === 'rebalance' && p.role === 'donor')) { this.#forget(node.name); return }
      if (!this.#since.has(key)) { this.#forget(node.name); this.#since.set(key, now) }
      const waitMs = p.kind === 'evacuation' ? Math.min(p.params.wait_health_check * 1000, this.waitHealthCheckMs) : this.waitHealthCheckMs
      if (now - (this.#since.get(key) ?? now) < waitMs) return
      const others = counts.filter((_, j) => j !== i)
      const goal = p.kind === 'evacuation' ? 0 : Math.ceil(others.reduce((a, b) => a + b, 0) / Math.max(1, others.length))
      if (broker.clients.size <= goal) {
        // evacuation: done evicting, stays 503 until stopped; rebalance: the donor is balanced and serves again
        if (p.kind === 'evacuation') { if (p.state !== 'prohibiting') sim.setProcessState('prohibiting') } else sim.stopProcess()
        return
      }
      if (p.state !== 'evicting_conns') sim.setProcessState('evicting_conns')
      const victim = [...broker.clients].find((id) => this.#clients.has(id))
      if (victim !== undefined) this.#clients.get(victim)?.stream.destroy()
    })
  }

  #forget (name: string): void {
    for (const k of this.#since.keys()) if (k.startsWith(`${name}:`)) this.#since.delete(k)
  }

  async stop (): Promise<void> {
    clearInterval(this.#timer)
    await Promise.all([...this.#clients.values()].map(async (c) => { await c.endAsync(true) }))
  }
}
