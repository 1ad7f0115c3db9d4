import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { freePort } from './free-port.js'

export interface Broker {
  readonly name: string
  readonly port: number
  /** client ids that connected to this broker, in order (from the broker's own connection log) */
  readonly connected: string[]
  readonly log: () => string
  /** resolves when the broker logs that `clientId` connected, rejects after timeoutMs */
  waitForClient: (clientId: string, timeoutMs: number) => Promise<void>
}

const CONNECTED = /New client connected from \S+ as (\S+) \(/

/**
 * A real mosquitto (Debian's mosquitto 2.0) on a free loopback port, stopped when the test ends.
 * Which broker a client landed on is read from the broker's log ("New client connected ... as <id>"),
 * so the proof does not depend on the client or on the proxy in between.
 */
export async function startBroker (t: Test, bin: string, name: string): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), `mosquitto-${name}-`))
  const port = await freePort()
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stdout', 'log_type all', 'connection_messages true', ''].join('\n'))
  // mosquitto block-buffers stdout into a pipe (and as root drops privileges before opening a log
  // file), so stdbuf (coreutils) makes it line-buffered: each connection is seen as it happens.
  const child = spawn('stdbuf', ['-oL', bin, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  const connected: string[] = []
  const waiters = new Set<{ id: string, resolve: () => void }>()
  let buf = ''
  const onData = (chunk: string): void => {
    text += chunk
    buf += chunk
    let nl
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      const m = CONNECTED.exec(line)
      if (m === null) continue
      const id = m[1] as string
      connected.push(id)
      for (const w of waiters) if (w.id === id) { waiters.delete(w); w.resolve() }
    }
  }
  child.stdout.setEncoding('utf8').on('data', onData)
  child.stderr.setEncoding('utf8').on('data', (c: string) => { text += c })
  const exited = once(child, 'exit')
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) { child.kill('SIGTERM'); await exited }
    rmSync(dir, { recursive: true, force: true })
  })
  const deadline = Date.now() + 5000
  while (!text.includes(`on port ${port}`)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`mosquitto ${name} did not start on port ${port}: ${text}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const waitForClient = async (id: string, timeoutMs: number): Promise<void> => {
    if (connected.includes(id)) return
    await new Promise<void>((resolve, reject) => {
      const w = { id, resolve: () => { clearTimeout(timer); resolve() } }
      const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`broker ${name}: client ${id} did not connect within ${timeoutMs}ms`)) }, timeoutMs)
      waiters.add(w)
    })
  }
  return { name, port, connected, log: () => text, waitForClient }
}
