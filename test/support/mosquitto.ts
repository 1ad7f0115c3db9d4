import type { Test } from 'tap'
import { freePort } from '../../src/demo/free-port.js'
import { Mosquitto } from '../../src/demo/mosquitto.js'
import { requireBinary } from './components.js'
export { Mosquitto } from '../../src/demo/mosquitto.js'

/** Starts `count` mosquitto brokers on free loopback ports (config files in `dir`); stopped when the test ends. Undefined when mosquitto is missing (test skipped or failed). */
export async function startMosquittos (t: Test, dir: string, count: number): Promise<Mosquitto[] | undefined> {
  const bin = requireBinary(t, 'mosquitto', 'mosquitto')
  if (bin === undefined) return undefined
  const brokers: Mosquitto[] = []
  for (let i = 1; i <= count; i++) {
    const m = await Mosquitto.start(bin, dir, await freePort(), `broker${i}`)
    t.teardown(async () => { await m.stop() })
    brokers.push(m)
  }
  return brokers
}

/** Index of the broker that logged `clientId` as connected; waits up to timeoutMs for the log line. */
export async function landedOn (brokers: readonly Mosquitto[], clientId: string, timeoutMs = 5000): Promise<number> {
  const now = brokers.findIndex((b) => b.clients.has(clientId))
  if (now !== -1) return now
  return await new Promise((resolve, reject) => {
    const offs: Array<() => void> = []
    const done = (): void => { clearTimeout(timer); for (const off of offs) off() }
    const timer = setTimeout(() => { done(); reject(new Error(`no broker logged client ${clientId} within ${timeoutMs}ms`)) }, timeoutMs)
    brokers.forEach((b, i) => {
      const on = (id: string): void => { if (id === clientId) { done(); resolve(i) } }
      b.on('connected', on)
      offs.push(() => b.off('connected', on))
    })
  })
}
