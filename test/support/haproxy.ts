import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { freePort } from '../../src/demo/free-port.js'
import { Haproxy, type ServerStat } from '../../src/demo/haproxy.js'
import { localizeHaproxyConfig, type LocalHaproxy } from '../../src/demo/haproxy-config.js'
import { requireBinary } from './components.js'
import { waitFor } from './wait.js'
import { startupBound } from '../../bench/lib/startup.js'
export { Haproxy, checkHaproxyConfig, type ServerStat } from '../../src/demo/haproxy.js'

/** The shipped configs, exactly as users copy them. */
export const HAPROXY_DIR = fileURLToPath(new URL('../../haproxy/', import.meta.url))
export const shippedConfig = (name: string): string => readFileSync(join(HAPROXY_DIR, name), 'utf8')

export interface RunningHaproxy {
  readonly haproxy: Haproxy
  readonly port: number
  readonly configFile: string
}

/**
 * Runs a shipped config with only addresses, ports and paths localized (src/demo/haproxy-config.ts; `edit`
 * may change a setting first, e.g. an interval);
 * stopped when the test ends. Undefined when haproxy is missing (test skipped or failed).
 */
export async function startShippedHaproxy (t: Test, dir: string, name: string, local: Omit<LocalHaproxy, 'listenPort' | 'statsSocket'>, edit: (text: string) => string = (x) => x): Promise<RunningHaproxy | undefined> {
  const bin = requireBinary(t, 'haproxy', 'haproxy')
  if (bin === undefined) return undefined
  const port = await freePort()
  const configFile = join(dir, name)
  writeFileSync(configFile, localizeHaproxyConfig(edit(shippedConfig(name)), { ...local, listenPort: port, statsSocket: join(dir, 'admin.sock') }))
  // Haproxy.start stops haproxy itself when its socket does not answer in time, and reports its stderr
  const bound = startupBound()
  let haproxy: Haproxy
  try {
    haproxy = await Haproxy.start(bin, configFile, join(dir, 'admin.sock'), bound.ms)
  } catch (err) {
    const msg = `starting haproxy with ${name} (start-up bound ${bound.ms} ms: ${bound.why}): ${(err as Error).message}`
    throw new Error(msg, { cause: err })
  }
  t.teardown(async () => { await haproxy.stop() })
  return { haproxy, port, configFile }
}

/** Waits until HAProxy reports `server` in a state `accept` likes; the error names the last state seen. */
export async function waitForServer (h: Haproxy, server: string, accept: (s: ServerStat) => boolean, what: string, timeoutMs = 15_000): Promise<ServerStat> {
  const rows = await waitFor(async () => await h.stats(), (rs) => { const s = rs.find((r) => r.server === server); return s !== undefined && accept(s) },
    { timeoutMs, intervalMs: 20, what: `HAProxy to show ${server} ${what}` })
  return rows.find((r) => r.server === server) as ServerStat
}
