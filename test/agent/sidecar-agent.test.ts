import t from 'tap'
import { request } from 'undici'
import { connect, createServer, type AddressInfo } from 'node:net'
import { once } from 'node:events'
import { freePort } from '../../src/demo/free-port.js'
import { startDouble } from '../support/emqx-double.js'
import { runCli, startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

async function ask (port: number): Promise<string> {
  const sock = connect(port, '127.0.0.1')
  let data = ''
  sock.setEncoding('utf8').on('data', (c: string) => { data += c })
  await once(sock, 'end')
  sock.destroy()
  return data.trim()
}

t.test('the sidecar process answers agent-checks that follow EMQX, and drains while stopping', async (t) => {
  const sim = await startDouble(t)
  const agentPort = await freePort()
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--shutdown-delay', '1s', '--agent-port', String(agentPort)])
  const log = await sc.waitForLog((l) => l.event === 'agent_listening', 2000, 'agent listening')
  t.equal(log.port, agentPort)
  t.equal(log.host, '127.0.0.1', 'agent host defaults to --host')
  await waitFor(async () => await ask(agentPort), (l) => l.startsWith('up ready'), { what: 'up ready' })
  sim.startEvacuation()
  await waitFor(async () => await ask(agentPort), (l) => l.startsWith('up maint'), { what: 'up maint after EMQX 503 (the default --agent-drain-word)' })
  const status = await request(`${sc.url}/status`)
  const doc = await status.body.json() as { checkers: Array<{ kind: string, last_answer: string, told: boolean }>, drain_acknowledgement: { acknowledged: boolean } }
  t.match(doc.checkers.find((c) => c.kind === 'agent'), { last_answer: 'maint', told: true }, 'the agent checker is tracked and counts as told at once')
  t.equal(doc.drain_acknowledgement.acknowledged, true, 'one drain reply acknowledges the drain for an agent-only setup')
  sim.stopProcess()
  await waitFor(async () => await ask(agentPort), (l) => l.startsWith('up ready'), { what: 'up ready after the evacuation stops' })
  sc.child.kill('SIGTERM')
  await sc.waitForLog((l) => /shutting down/.test(l.msg), 2000, 'shutdown log')
  t.equal(await ask(agentPort), 'maint #stopping shutdown', 'stopping: maint, health untouched')
  t.equal(await sc.exited, 0)
  const refused = connect(agentPort, '127.0.0.1')
  const [err] = await once(refused, 'error') as [NodeJS.ErrnoException]
  t.equal(err.code, 'ECONNREFUSED', 'agent port closed after shutdown')
})

t.test('--agent-drain-word drain: draining and stopping answer HAProxy DRAIN; a word outside the list exits 2 naming it', async (t) => {
  const sim = await startDouble(t)
  const agentPort = await freePort()
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--shutdown-delay', '1s', '--agent-port', String(agentPort),
    '--agent-drain-word', 'drain'])
  await waitFor(async () => await ask(agentPort), (l) => l.startsWith('up ready'), { what: 'up ready' })
  sim.startEvacuation()
  await waitFor(async () => await ask(agentPort), (l) => l.startsWith('up drain'), { what: 'up drain after EMQX 503' })
  sc.child.kill('SIGTERM')
  await sc.waitForLog((l) => /shutting down/.test(l.msg), 2000, 'shutdown log')
  t.equal(await ask(agentPort), 'drain #stopping shutdown', 'stopping: drain, health untouched')
  t.equal(await sc.exited, 0)
  for (const word of ['down', 'ready', 'MAINT', '']) {
    const bad = await runCli(['--emqx-url', sim.url, '--agent-drain-word', word])
    t.equal(bad.code, 2, `--agent-drain-word "${word}": exit 2`)
    t.match(bad.stderr, /--agent-drain-word/, 'the message names the setting')
    t.notMatch(bad.stderr, /\n\s+at /, 'no stack trace')
  }
  const env = await runCli(['--emqx-url', sim.url], { SIDECAR_AGENT_DRAIN_WORD: 'weight' })
  t.equal(env.code, 2, 'the environment variable is checked the same way')
  t.match(env.stderr, /SIDECAR_AGENT_DRAIN_WORD|--agent-drain-word/)
})

t.test('--agent-port 0 disables the listener', async (t) => {
  const sim = await startDouble(t)
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--agent-port', '0'])
  t.notOk(sc.logs.some((l) => l.event === 'agent_listening'))
})

t.test('an agent port in use fails start-up with exit 1 and the reason', async (t) => {
  const sim = await startDouble(t)
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { blocker.close() })
  const port = (blocker.address() as AddressInfo).port
  const r = await runCli(['--emqx-url', sim.url, '--host', '127.0.0.1', '--port', '0', '--agent-port', String(port), '--log-level', 'silent'])
  t.equal(r.code, 1)
  t.equal(r.stderr, `emqx-lb-sidecar: --agent-port 127.0.0.1:${port} is in use\n`)
})
