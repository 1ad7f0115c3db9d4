import t, { type Test } from 'tap'
import { connect } from 'node:net'
import { once } from 'node:events'
import { startAgentServer, type AgentServer } from '../../src/agent/server.js'
import { createMetrics } from '../../src/metrics/registry.js'
import { waitFor } from '../support/wait.js'
import { TestStore as Store } from '../support/test-store.js'
import { initialSnapshot } from '../../src/state/transition.js'
import { moveTo } from '../../src/state/move.js'

async function setup (t: Test, idleTimeoutMs?: number, drainWord: 'maint' | 'drain' = 'maint'): Promise<{ store: Store, port: number, metrics: ReturnType<typeof createMetrics>, server: AgentServer }> {
  const store = new Store(initialSnapshot(Date.now()))
  const metrics = createMetrics(store)
  const server = await startAgentServer('127.0.0.1', 0, { store, metrics, drainWord, ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}) })
  t.teardown(server.close)
  return { store, port: server.port, metrics, server }
}

/** what HAProxy does: connect, optionally send agent-send, read until the server closes */
async function ask (port: number, send?: string): Promise<string> {
  const sock = connect(port, '127.0.0.1')
  let data = ''
  sock.setEncoding('utf8').on('data', (c: string) => { data += c })
  if (send !== undefined) sock.write(send)
  await once(sock, 'end')
  sock.destroy()
  return data
}

t.test('answers one line for the current state, then closes', async (t) => {
  const { store, port, metrics } = await setup(t)
  t.equal(await ask(port), 'down #starting awaiting_first_check\n')
  store.update((s) => moveTo(s, 'up', 'emqx_available', 'ok', Date.now()))
  t.equal(await ask(port), 'up ready #up emqx_available\n')
  store.update((s) => moveTo(s, 'draining', 'emqx_unavailable', '503', Date.now()))
  t.equal(await ask(port, 'emqx_cluster/emqx1\n'), 'up maint #draining emqx_unavailable\n', 'agent-send input is ignored')
  const text = await metrics.registry.metrics()
  t.match(text, /probes_total\{protocol="agent",answer="ready"\} 1/)
  t.match(text, /probes_total\{protocol="agent",answer="maint"\} 1/)
  t.match(text, /probes_total\{protocol="agent",answer="drain"\} 0/)
  t.match(text, /probes_total\{protocol="agent",answer="down"\} 1/)
})

t.test('with --agent-drain-word drain a draining node is answered up drain, and counted so', async (t) => {
  const { store, port, metrics } = await setup(t, undefined, 'drain')
  store.update((s) => moveTo(s, 'draining', 'emqx_unavailable', '503', Date.now()))
  t.equal(await ask(port), 'up drain #draining emqx_unavailable\n')
  t.match(await metrics.registry.metrics(), /probes_total\{protocol="agent",answer="drain"\} 1/)
})

t.test('survives clients that hang up at once, reset, or flood it with input', async (t) => {
  const { port } = await setup(t)
  for (let i = 0; i < 20; i++) {
    const s = connect(port, '127.0.0.1')
    if (i % 2 === 0) s.on('connect', () => s.resetAndDestroy())
    else s.on('connect', () => s.destroy())
    s.on('error', () => {})
    await once(s, 'close')
  }
  t.equal(await ask(port, 'x'.repeat(256 * 1024)), 'down #starting awaiting_first_check\n', 'answers after a large agent-send')
})

t.test('drops a client that never reads nor hangs up after the idle timeout', async (t) => {
  const { port, server } = await setup(t, 100)
  // half-open: reads the answer but never sends its FIN, so only the idle timer can free the socket
  const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true })
  s.on('error', () => {})
  t.teardown(() => s.destroy())
  s.resume()
  await once(s, 'end')
  t.equal(server.openConnections, 1, 'still open right after the answer')
  await waitFor(() => server.openConnections, (n) => n === 0, { timeoutMs: 3000, what: 'the idle connection to be dropped' })
})

t.test('close() ends open connections and the listener', async (t) => {
  const store = new Store(initialSnapshot(Date.now()))
  const server = await startAgentServer('127.0.0.1', 0, { store, drainWord: 'maint', metrics: { probe () {} } })
  const s = connect(server.port, '127.0.0.1')
  s.on('error', () => {})
  await once(s, 'connect')
  await server.close()
  const again = connect(server.port, '127.0.0.1')
  const [err] = await once(again, 'error') as [NodeJS.ErrnoException]
  t.equal(err.code, 'ECONNREFUSED')
})
