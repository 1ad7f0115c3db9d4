import t, { type Test } from 'tap'
import { freePort } from '../../src/demo/free-port.js'
import { startDouble } from '../support/emqx-double.js'
import { scrape } from '../support/metrics-text.js'
import { exchange, fdCount, openSocket, rssBytes } from '../support/raw-client.js'
import { startSidecar, type SidecarProcess } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

/**
 * Hostile clients on the HAProxy agent-check port (docs/failure-modes.md, "Hostile clients"): whatever
 * arrives, every connection gets the one correct line and a FIN; floods leave nothing behind.
 */

async function sidecar (t: Test, extra: string[] = []): Promise<{ sc: SidecarProcess, agentPort: number, sim: Awaited<ReturnType<typeof startDouble>> }> {
  const sim = await startDouble(t, { profile: 'v5' })
  const agentPort = await freePort()
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--agent-port', String(agentPort), ...extra])
  await sc.waitForLog((l) => l.msg.startsWith('node is up'), 5000, 'node is up')
  return { sc, agentPort, sim }
}

t.test('garbage on the agent port still gets the one correct line, then FIN', async (t) => {
  const { sc, agentPort, sim } = await sidecar(t)
  const inputs: Array<[string, string | Buffer]> = [
    ['nothing', ''],
    ['an HTTP request', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['binary junk', Buffer.from([0, 1, 2, 0xff, 0xfe, 0x16, 0x03, 0x01])],
    ['1 MiB without a newline', Buffer.alloc(1024 * 1024, 'a')],
    ['agent-send words', 'drain maint 0%\n'],
  ]
  for (const [what, bytes] of inputs) {
    const r = await exchange(agentPort, bytes)
    t.match(r.text, /^up ready\b[^\n]*\n$/, `${what}: answered up ready`)
    t.ok(r.closed, `${what}: closed`)
  }
  sim.becomeDonor()
  await sc.waitForLog((l) => l.msg.startsWith('node is draining'), 5000, 'draining')
  t.match((await exchange(agentPort, 'garbage\n')).text, /^up maint\b/, 'the answer follows the state, not the input')
  t.equal(sc.child.exitCode, null, 'still running')
})

t.test('an agent connection flood leaves descriptors and memory where they were; every answer correct', async (t) => {
  const { sc, agentPort } = await sidecar(t)
  const pid = sc.child.pid ?? 0
  const fdBefore = fdCount(pid)
  const rssBefore = rssBytes(pid)
  let answered = 0
  const wrong: string[] = []
  const flood = async (): Promise<void> => {
    for (let i = 0; i < 50; i++) {
      const r = await exchange(agentPort, i % 3 === 0 ? 'junk\n' : '', 3000)
      if (/^up ready\b/.test(r.text)) answered++
      else wrong.push(JSON.stringify(r.text))
    }
  }
  await Promise.all(Array.from({ length: 40 }, flood))
  t.equal(answered, 2000, 'every connection answered')
  t.same(wrong.slice(0, 5), [], 'no wrong or missing answer')
  // peers that never hang up are dropped by the agent's idle timeout
  const silent = await Promise.all(Array.from({ length: 50 }, async () => await openSocket(agentPort, { allowHalfOpen: true })))
  t.teardown(() => { for (const s of silent) s.destroy() })
  await waitFor(() => fdCount(pid), (n) => n >= fdBefore + 40, { what: 'the sidecar holds the half-open connections' })
  // the sidecar lets go of them (idle timeout 5s) while the peers still hold their end
  await waitFor(() => fdCount(pid), (n) => n <= fdBefore + 2, { timeoutMs: 10_000, intervalMs: 100, what: `descriptors back to ${fdBefore} with the peers still connected` })
  t.ok(silent.every((s) => !s.destroyed), 'released by the sidecar, not by the peers')
  const grown = (rssBytes(pid) - rssBefore) / 1024 / 1024
  t.ok(grown < 50, `RSS grew ${grown.toFixed(1)} MiB (bound 50 MiB)`)
  const metrics = await scrape(sc.url)
  t.ok((metrics.get('emqx_lb_sidecar_probes_total{protocol="agent",answer="ready"}') ?? 0) >= 2000, 'agent probes counted')
})

t.test('over --agent-max-connections new connections are closed at once, logged once, counted', async (t) => {
  const { sc, agentPort } = await sidecar(t, ['--agent-max-connections', '20'])
  const held = await Promise.all(Array.from({ length: 20 }, async () => await openSocket(agentPort, { allowHalfOpen: true })))
  await waitFor(() => held.filter((s) => s.readableEnded || s.readableLength > 0).length, (n) => n === 20, { what: 'the 20 held connections answered' })
  const extra = await exchange(agentPort, '', 2000)
  t.equal(extra.text, '', 'no answer over the limit')
  t.ok(extra.closed, 'closed at once')
  await sc.waitForLog((l) => l.code === 'agent_connection_limit', 2000, 'agent limit warning')
  for (const s of held) s.destroy()
  await waitFor(async () => (await exchange(agentPort, '')).text, (text) => /^up ready\b/.test(text), { what: 'answers again once the held connections are gone' })
  const metrics = await scrape(sc.url)
  t.ok((metrics.get('emqx_lb_sidecar_connections_dropped_total{protocol="agent"}') ?? 0) >= 1, 'dropped connection counted')
  t.equal(sc.logs.filter((l) => l.code === 'agent_connection_limit').length, 1, 'logged once')
})
