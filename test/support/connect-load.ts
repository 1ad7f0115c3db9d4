import { connectAsync } from 'mqtt'
import type { Mosquitto } from './mosquitto.js'
import { waitFor } from './wait.js'

/** Where and when one new connection arrived, as the broker itself logged it. */
export interface Arrival { readonly id: string, readonly broker: number, readonly at: number }

export interface ConnectLoad {
  readonly arrivals: Arrival[]
  /** connections attempted, and those that failed (refused, timed out) */
  readonly attempts: () => number
  readonly failures: () => number
  /** stops opening connections; resolves once every attempt has finished */
  stop: () => Promise<void>
}

/**
 * Opens a new MQTT connection through `url` every `everyMs` (20/s by default), each closed again once
 * connected, as reconnecting devices do during a rolling restart. Which broker each one reached is read
 * from the brokers' own logs, with the time the log line was read: never earlier than the arrival, so
 * "arrived after X" can only be over-counted.
 */
export function startConnectLoad (url: string, brokers: readonly Mosquitto[], prefix: string, everyMs = 50): ConnectLoad {
  const arrivals: Arrival[] = []
  const offs = brokers.map((b, i) => {
    const on = (id: string): void => { if (id.startsWith(prefix)) arrivals.push({ id, broker: i, at: Date.now() }) }
    b.on('connected', on)
    return () => b.off('connected', on)
  })
  let attempts = 0
  let failures = 0
  const connected: string[] = []
  const pending = new Set<Promise<void>>()
  const open = (): void => {
    const id = `${prefix}${++attempts}`
    const p: Promise<void> = connectAsync(url, { clientId: id, reconnectPeriod: 0, connectTimeout: 3000 })
      .then(async (c) => { connected.push(id); await c.endAsync(true) }, () => { failures++ })
      .finally(() => pending.delete(p))
    pending.add(p)
  }
  const timer = setInterval(open, everyMs)
  open()
  return {
    arrivals,
    attempts: () => attempts,
    failures: () => failures,
    async stop () {
      clearInterval(timer)
      await Promise.all([...pending])
      // the last arrivals' log lines may still be on their way
      const logged = (): boolean => { const ids = new Set(arrivals.map((a) => a.id)); return connected.every((id) => ids.has(id)) }
      await waitFor(logged, (ok) => ok, { what: 'every connected client in a broker log', timeoutMs: 5000 })
      for (const off of offs) off()
    },
  }
}
