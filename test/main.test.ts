import t from 'tap'
import { once } from 'node:events'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import pino from 'pino'
import { request } from 'undici'
import { loadServeConfig } from '../src/config/serve-config.js'
import { freePort } from '../src/demo/free-port.js'
import { startSidecar } from '../src/main.js'
import { startDouble } from './support/emqx-double.js'
import { scrape } from './support/metrics-text.js'
import { waitFor } from './support/wait.js'

async function agentWord (port: number): Promise<string> {
  const sock = connect(port, '127.0.0.1')
  let data = ''
  sock.setEncoding('utf8').on('data', (c: string) => { data += c })
  await once(sock, 'end')
  return data.trim()
}

t.test('a store listener that throws is logged and never stops the others: probes, agent word, metrics and /status agree', async (t) => {
  const sim = await startDouble(t)
  const agentPort = await freePort()
  const { config } = loadServeConfig(['--emqx-url', sim.url, '--host', '127.0.0.1', '--port', '0', '--agent-port', String(agentPort),
    '--poll-interval', '50ms', '--shutdown-delay', '0s'], {})
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>); done() } })
  const sc = await startSidecar(config, pino({ level: 'info' }, sink))
  t.teardown(async () => { await sc.shutdown('test') })
  const base = `http://127.0.0.1:${sc.httpPort}`
  await waitFor(async () => (await request(`${base}/availability`)).statusCode, (s) => s === 200, { what: 'the first 200' })
  // a faulty reader registered before every other one (EventEmitter would stop at it)
  sc.store.prependListener('update', () => { throw new Error('faulty reader') })

  sim.becomeDonor()
  await waitFor(() => sc.store.current.state, (s) => s === 'draining', { what: 'the store at draining' })
  const probe = await request(`${base}/availability`)
  t.equal(probe.statusCode, 503, 'the probe answers the drain')
  t.match(await probe.body.json(), { state: 'draining' })
  t.match(await agentWord(agentPort), /^up maint/, 'the agent-check word is maint (the default --agent-drain-word)')
  const status = await (await request(`${base}/status`)).body.json() as { state: string, drain_acknowledgement?: { draining_since?: string | null } }
  t.equal(status.state, 'draining', '/status says draining')
  t.type(status.drain_acknowledgement?.draining_since, 'string', 'the checker tracker (a later listener) saw the drain begin')
  const m = await scrape(base)
  t.equal(m.get('emqx_lb_sidecar_state{state="draining"}'), 1, 'the state gauge says draining')
  t.equal(m.get('emqx_lb_sidecar_state_transitions_total{to="draining"}'), 1, 'the transition counter (a later listener) counted the drain')
  t.ok(lines.some((l) => l.code === 'store_listener_failed' && l.event === 'update'), 'the failure is logged with its code')
})
