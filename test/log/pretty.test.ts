import { spawn, spawnSync } from 'node:child_process'
import t from 'tap'
import { resolveLogFormat } from '../../src/log.js'
import { prettyLine } from '../../src/log-pretty.js'
import { startDouble } from '../support/emqx-double.js'
import { CLI, startSidecar } from '../support/sidecar-proc.js'

/**
 * Logs for people: on a terminal (auto) or with --log-format pretty, one short line per event, one line per
 * listener; JSON for collectors, where fastify's own "Server listening at" lines (one per address of
 * 0.0.0.0) no longer repeat the sidecar's.
 */
t.test('auto is pretty on a terminal and json otherwise; an explicit format wins', async (t) => {
  t.equal(resolveLogFormat('auto', true), 'pretty')
  t.equal(resolveLogFormat('auto', false), 'json')
  t.equal(resolveLogFormat('json', true), 'json')
  t.equal(resolveLogFormat('pretty', false), 'pretty')
})

t.test('a pretty line: time, level, component, message, short fields; objects stay out, an error shows its message', async (t) => {
  const line = prettyLine(JSON.stringify({
    level: 'warn',
    time: '2026-01-01T12:00:01.000Z',
    pid: 1,
    name: 'emqx-lb-sidecar',
    component: 'monitor',
    msg: 'EMQX check failed',
    reason: 'timeout',
    consecutive: 2,
    config: { emqx: { url: 'x'.repeat(2000) } },
    err: { message: 'boom', stack: 'at x\nat y' },
    event: 'check_failed',
  }), false)
  t.match(line, /^\d\d:\d\d:\d\d WARN {2}\[monitor\] EMQX check failed {2}reason=timeout consecutive=2 err="boom"$/)
  t.ok(line.length < 120, `${line.length} characters`)
  t.equal(prettyLine('not json', false), 'not json', 'anything else passes as it is')
  t.ok(prettyLine(JSON.stringify({ level: 'error', msg: 'x' }), true).includes('\u001b[31mERROR\u001b[0m'), 'colours on a terminal')
})

t.test('JSON logs: one line per listener, none of fastify\'s "Server listening at"', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const sidecar = await startSidecar(t, ['--emqx-url', sim.url, '--host', '127.0.0.1', '--agent-port', '0', '--shutdown-delay', '0s'])
  await sidecar.waitForLog((l) => l.msg.startsWith('node is up'), 10_000, 'the node up')
  const listening = sidecar.logs.filter((l) => /listening/i.test(l.msg))
  t.same(listening.map((l) => l.msg), [`HTTP listening on 127.0.0.1:${sidecar.port}`], 'the HTTP port announced once')
})

t.test('on a terminal (script(1) gives it one), the sidecar prints short readable lines', async (t) => {
  if (spawnSync('sh', ['-c', 'command -v script']).status !== 0) {
    if (process.env.CI === 'true') t.fail('script(1) is missing: apt-get install -y bsdutils')
    else t.plan(0, 'script(1) is missing: apt-get install -y bsdutils')
    return
  }
  const sim = await startDouble(t, { profile: 'v5' })
  const command = `exec node ${CLI} --emqx-url ${sim.url} --host 127.0.0.1 --port 0 --agent-port 0 --shutdown-delay 0s`
  const child = spawn('script', ['-qfc', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } })
  t.teardown(() => { child.kill('SIGKILL') })
  let out = ''
  child.stdout.setEncoding('utf8')
  const upSeen = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no "node is up" line within 10 s on the terminal; got:\n${out}`)) }, 10_000)
    child.stdout.on('data', (d: string) => { out += d; if (out.includes('node is up')) { clearTimeout(timer); resolve() } })
  })
  await upSeen
  const lines = out.split(/\r?\n/).filter((l) => l !== '')
  t.notOk(lines.some((l) => l.startsWith('{')), 'no JSON on a terminal')
  t.match(lines[0], /^\d\d:\d\d:\d\d INFO {2}starting emqx-lb-sidecar {2}version=\S+$/, 'a short start-up line')
  t.ok(lines.every((l) => l.length <= 200), `every line short (longest ${Math.max(...lines.map((l) => l.length))})`)
  t.equal(lines.filter((l) => /listening/i.test(l)).length, 1, 'one line for the one listener')
})
