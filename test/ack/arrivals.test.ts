import t, { type Test } from 'tap'
import { request } from 'undici'
import { freePort } from '../../src/demo/free-port.js'
import { startDouble, type EmqxDouble } from '../support/emqx-double.js'
import { scrape } from '../support/metrics-text.js'
import { startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'
import { agentChecker } from '../support/agent-checker.js'

/**
 * Issue 25's "done when": an HAProxy-style agent checker is told at once, but new CONNECTs (EMQX's
 * client.connect counter, played by the double) keep arriving for 6 s after /admin/evacuate: EMQX must be
 * asked to evict only after they stop, and within 5 s of that; /status and the metric count them. And
 * when they stop as soon as the checker is told, eviction starts within 5 s of the request.
 */
const TOKEN = 'arrivals-admin-token-0123456789'
const RATE_PER_S = 20

/** CONNECTs at about RATE_PER_S (fewer on a loaded machine) until stopped; `since(t)` counts those made from t on. */
function arrivals (sim: EmqxDouble): { stop: () => number, since: (at: number) => number } {
  const times: number[] = []
  const timer = setInterval(() => { sim.connect(1); times.push(Date.now()) }, 1000 / RATE_PER_S)
  return {
    stop: () => { clearInterval(timer); return times.at(-1) ?? NaN },
    since: (at) => times.filter((x) => x >= at).length,
  }
}

async function setup (t: Test) {
  const sim = await startDouble(t, { nodeName: 'emqx@127.0.0.1', connections: 0 })
  const agentPort = await freePort()
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--emqx-username', 'admin', '--emqx-password', 'public', '--admin-token', TOKEN,
    '--agent-port', String(agentPort), '--poll-interval', '200ms', '--connect-baseline-interval', '500ms', '--wait-health-check', '30s'])
  await agentChecker(t, agentPort)
  const load = arrivals(sim)
  // stopped however the test ends: a timer left running keeps the process (and every test grouped with it) alive
  t.teardown(() => { load.stop() })
  // the usual rate needs two baseline intervals of readings
  await waitFor(async () => await (await request(`${sc.url}/status`)).body.json() as { drain_evidence: { usual_rate_per_second: number | null } },
    (d) => (d.drain_evidence.usual_rate_per_second ?? 0) > RATE_PER_S / 2, { what: 'the usual arrival rate known', timeoutMs: 20_000 })
  return { sim, sc, load }
}

async function evacuate (url: string): Promise<number> {
  const at = Date.now()
  const res = await request(`${url}/admin/evacuate`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
  await res.body.dump()
  if (res.statusCode !== 202) throw new Error(`/admin/evacuate answered ${res.statusCode}`)
  return at
}

t.test('CONNECTs arriving for 6 s after /admin/evacuate hold the eviction until they stop, and it starts within 5 s of that', async (t) => {
  const { sim, sc, load } = await setup(t)
  const requestedAt = await evacuate(sc.url)
  await waitFor(() => Date.now(), (now) => now >= requestedAt + 6000, { what: '6 s of arrivals', timeoutMs: 10_000, intervalMs: 50 })
  const lastAt = load.stop()
  t.equal(sim.evacuationRequests.filter((r) => r.op === 'start').length, 0, 'EMQX not asked while CONNECTs still arrive')
  await waitFor(() => sim.evacuationRequests.find((r) => r.op === 'start'), (r) => r !== undefined, { what: 'EMQX asked to evacuate', timeoutMs: 10_000 })
  const askedAt = sim.evacuationRequests.find((r) => r.op === 'start')?.at ?? NaN
  t.ok(askedAt > lastAt, `asked ${askedAt - lastAt} ms after the last CONNECT`)
  t.ok(askedAt - lastAt <= 5000, `within 5 s of the last CONNECT (${askedAt - lastAt} ms)`)
  const doc = await (await request(`${sc.url}/status`)).body.json() as { drain_evidence: { connects_since_drain: number, source: string, verdict: string } }
  const made = load.since(requestedAt)
  const counted = doc.drain_evidence.connects_since_drain
  // the drain's first reading follows the request by a moment (longer on a loaded machine): the ones made
  // in that moment may fall before it, every one made a second later must be counted
  const surely = load.since(requestedAt + 1000)
  t.ok(counted <= made && counted >= surely, `/status counts them (${counted}: at most the ${made} made after the request, at least the ${surely} a second later)`)
  t.equal(doc.drain_evidence.source, 'prometheus', 'read from /api/v5/prometheus/stats')
  const m = await scrape(sc.url)
  const metric = m.get('emqx_lb_sidecar_connects_while_draining_total{phase="before_eviction"}') ?? 0
  t.equal(metric, counted, `the metric counts them before eviction (${metric})`)
  const log = await sc.waitForLog((l) => l.event === 'evacuation_ack_arrivals', 1000, 'the arrivals stage logged')
  t.match(log, { connectsSinceDrain: Number })
})

t.test('arrivals that stop as soon as the checker is told: eviction starts within 5 s of the request', async (t) => {
  const { sim, sc, load } = await setup(t)
  const requestedAt = await evacuate(sc.url)
  // the agent checker is told within its 200 ms interval; the load balancer then stops sending
  await waitFor(() => Date.now(), (now) => now >= requestedAt + 300, { what: 'the checker told', timeoutMs: 5000, intervalMs: 20 })
  load.stop()
  await waitFor(() => sim.evacuationRequests.find((r) => r.op === 'start'), (r) => r !== undefined, { what: 'EMQX asked to evacuate', timeoutMs: 10_000 })
  const askedAt = sim.evacuationRequests.find((r) => r.op === 'start')?.at ?? NaN
  t.ok(askedAt - requestedAt <= 5000, `eviction asked ${askedAt - requestedAt} ms after the request`)
  const ended = await sc.waitForLog((l) => l.event === 'evacuation_ack_ended', 1000, 'ack ended')
  t.match(ended, { endedBy: 'all_told', arrivals: 'quiet' })
})
