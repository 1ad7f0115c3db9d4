import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { NODE_FLAGS } from '../../src/node-flags.js'
import { CLI } from '../support/sidecar-proc.js'
import { tempDir } from '../support/tmpdir.js'

const TOKEN = 'an-admin-token-of-24-chars'

/** A port held by another listener on 127.0.0.1 for the whole test. */
async function busyPort (t: Test): Promise<number> {
  const server: Server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.close() })
  return (server.address() as AddressInfo).port
}

/**
 * Runs the built CLI as users do and measures from its first log line (the process is up) to its exit.
 * The poll interval and shutdown delay are long: a timer or listener left open by the failed start would
 * keep the process alive well past EXIT_BOUND_MS.
 */
async function runUntilExit (args: string[]): Promise<{ code: number | null, stderr: string, afterStartMs: number }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, '--host', '127.0.0.1', '--emqx-url', 'http://127.0.0.1:1', '--poll-interval', '30s', '--shutdown-delay', '30s', ...args], {
    env: { PATH: process.env.PATH ?? '', SIDECAR_ADMIN_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  let startedAt: number | undefined
  child.stdout.setEncoding('utf8').on('data', () => { startedAt ??= performance.now() })
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  const [code] = await once(child, 'exit') as [number | null]
  clearTimeout(killer)
  return { code, stderr, afterStartMs: performance.now() - (startedAt ?? performance.now()) }
}

// "within a second" on a quiet machine; the bound leaves room for a loaded 2-CPU box and is still far
// below the 30 s timers a leaked watcher would wait on.
const EXIT_BOUND_MS = 5000

t.test('a busy port ends start-up: exit 1, one line naming the flag and address, nothing left running', async (t) => {
  const port = await busyPort(t)
  const drainFile = join(tempDir(t), 'drain')
  const cases: Array<[string, string[], string]> = [
    ['main port', ['--port', String(port), '--agent-port', '0'], `--port 127.0.0.1:${port} is in use`],
    ['main port with --drain-file', ['--port', String(port), '--agent-port', '0', '--drain-file', drainFile], `--port 127.0.0.1:${port} is in use`],
    ['agent port', ['--port', '0', '--agent-port', String(port)], `--agent-port 127.0.0.1:${port} is in use`],
    ['admin port (main and agent already open)', ['--port', '0', '--agent-port', '0', '--admin-port', String(port)], `--admin-port 127.0.0.1:${port} is in use`],
    ['admin port with --drain-file', ['--port', '0', '--agent-port', '0', '--admin-port', String(port), '--drain-file', drainFile], `--admin-port 127.0.0.1:${port} is in use`],
  ]
  const results = await Promise.all(cases.map(async ([, args]) => await runUntilExit(args)))
  cases.forEach(([name, , line], i) => {
    const r = results[i]
    if (r === undefined) throw new Error('missing result')
    t.equal(r.code, 1, `${name}: exit 1`)
    t.equal(r.stderr, `emqx-lb-sidecar: ${line}\n`, `${name}: one line naming the flag`)
    t.ok(r.afterStartMs < EXIT_BOUND_MS, `${name}: exited ${Math.round(r.afterStartMs)}ms after start (bound ${EXIT_BOUND_MS}ms)`)
  })
})

t.test('an address that is not on this host names the address flag', async (t) => {
  // 192.0.2.0/24 is TEST-NET-1: never assigned to a local interface
  const r = await runUntilExit(['--port', '0', '--agent-port', '0', '--admin-port', '0', '--admin-host', '192.0.2.1'])
  t.equal(r.code, 1)
  t.equal(r.stderr, 'emqx-lb-sidecar: --admin-host 192.0.2.1:0: 192.0.2.1 is not an address of this host\n')
})
