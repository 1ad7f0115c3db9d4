import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { Writable } from 'node:stream'
import { ConfigError } from '../../../src/errors.js'
import { loadServeConfig } from '../../../src/config/serve-config.js'
import { effectiveBacklog, listenBacklog, readSomaxconn } from '../../../src/http/listeners/backlog.js'
import { requireBinary } from '../../support/components.js'
import { startSidecar } from '../../support/sidecar-proc.js'

t.test('--listen-backlog: 4096 by default, from a flag or SIDECAR_LISTEN_BACKLOG, 1..65535', async (t) => {
  t.equal(loadServeConfig([], {}).config.listenBacklog, 4096, 'sized for a fleet of checkers, above node\'s 511')
  t.equal(loadServeConfig(['--listen-backlog', '100'], {}).config.listenBacklog, 100)
  t.equal(loadServeConfig([], { SIDECAR_LISTEN_BACKLOG: '2000' }).config.listenBacklog, 2000)
  const err = t.throws(() => loadServeConfig(['--listen-backlog', '0'], {})) as ConfigError
  t.ok(err instanceof ConfigError)
  t.match(err.problems, [/--listen-backlog: 0 is below the minimum 1/])
})

t.test('the kernel cap (net.core.somaxconn) is read and applied, and a cap is logged naming the sysctl', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-backlog-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'somaxconn'), '128\n')
  writeFileSync(join(dir, 'garbage'), 'x\n')
  t.equal(readSomaxconn(join(dir, 'somaxconn')), 128)
  t.equal(readSomaxconn(join(dir, 'garbage')), undefined, 'unreadable value: no cap assumed')
  t.equal(readSomaxconn(join(dir, 'missing')), undefined, 'no /proc: no cap assumed')
  t.equal(effectiveBacklog(4096, 128), 128)
  t.equal(effectiveBacklog(100, 4096), 100)
  t.equal(effectiveBacklog(4096, undefined), 4096)

  const lines: Array<{ code?: string, msg: string }> = []
  const log = pino(new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(JSON.parse(chunk.toString()) as { msg: string }); cb() } }))
  t.equal(listenBacklog(4096, log, 128), 128)
  t.match(lines, [{ code: 'listen_backlog_capped', msg: /net\.core\.somaxconn = 128/ }], 'warned, with the sysctl to raise')
  t.equal(listenBacklog(100, log, 4096), 100)
  t.equal(lines.length, 1, 'no warning when the kernel grants the setting')
})

/** Accept-queue size of a listening TCP port, as the kernel reports it (ss: Send-Q of a LISTEN socket). */
function acceptQueue (ss: string, port: number): number {
  const out = spawnSync(ss, ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).stdout.trim().split('\n')[0] ?? ''
  return Number(out.split(/\s+/)[2])
}

t.test('the HTTP and agent-check listeners listen with the backlog (kernel view)', async (t) => {
  const ss = requireBinary(t, 'ss', 'iproute2')
  if (ss === undefined) return
  const free = createServer().listen(0, '127.0.0.1')
  await once(free, 'listening')
  const agentPort = (free.address() as AddressInfo).port
  await new Promise((resolve) => free.close(resolve))
  const cap = readSomaxconn() ?? 4096
  const s = await startSidecar(t, ['--emqx-url', 'http://127.0.0.1:9', '--listen-backlog', '100', '--agent-port', String(agentPort)])
  t.equal(acceptQueue(ss, s.port), Math.min(100, cap), 'HTTP listener')
  t.equal(acceptQueue(ss, agentPort), Math.min(100, cap), 'agent-check listener')
  const d = await startSidecar(t, ['--emqx-url', 'http://127.0.0.1:9'])
  t.equal(acceptQueue(ss, d.port), Math.min(4096, cap), 'the default, not node\'s 511')
})
