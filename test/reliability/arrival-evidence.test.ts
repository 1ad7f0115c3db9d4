import t, { type Test } from 'tap'
import { request } from 'undici'
import { freePort } from '../../src/demo/free-port.js'
import { startDouble, type EmqxDouble } from '../support/emqx-double.js'
import { scrape } from '../support/metrics-text.js'
import { ProbeLoad } from '../support/probe-load.js'
import { startSidecar, type SidecarProcess } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'
import { agentChecker } from '../support/agent-checker.js'

/**
 * Where EMQX's CONNECT counter cannot judge (docs/failure-modes.md, "EMQX's CONNECT counter"), against the built
 * sidecar: an unreadable counter is no evidence, never "no arrivals", and a node without traffic cannot tell quiet
 * from chance; both leave an acknowledged evacuation at told + grace, as without the counter. And what the reads
 * cost: one per --connect-baseline-interval while no drain runs, one per poll during a drain, none per probe.
 */
const TOKEN = 'arrival-evidence-admin-token-0123'
const COUNTER_PATH = '/api/v5/prometheus/stats'

interface Evidence { verdict: string, error: string | null, usual_rate_per_second: number | null }
const evidence = async (sc: SidecarProcess): Promise<Evidence> =>
  ((await (await request(`${sc.url}/status`)).body.json()) as { drain_evidence: Evidence }).drain_evidence

async function evacuating (t: Test, sim: EmqxDouble): Promise<SidecarProcess> {
  const agentPort = await freePort()
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--emqx-username', 'admin', '--emqx-password', 'public', '--admin-token', TOKEN,
    '--agent-port', String(agentPort), '--poll-interval', '200ms', '--connect-baseline-interval', '500ms', '--wait-health-check', '30s'])
  await agentChecker(t, agentPort)
  await waitFor(async () => await (await request(`${sc.url}/status`)).body.json() as { checkers: unknown[] }, (d) => d.checkers.length > 0,
    { what: 'the agent checker seen', timeoutMs: 5000 })
  return sc
}

/** /admin/evacuate; resolves how long after the request EMQX was asked to evacuate */
async function evacuate (sc: SidecarProcess, sim: EmqxDouble): Promise<number> {
  const at = Date.now()
  const res = await request(`${sc.url}/admin/evacuate`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
  await res.body.dump()
  if (res.statusCode !== 202) throw new Error(`/admin/evacuate answered ${res.statusCode}`)
  const start = await waitFor(() => sim.evacuationRequests.find((r) => r.op === 'start'), (r) => r !== undefined,
    { what: 'EMQX asked to evacuate', timeoutMs: 10_000 })
  return (start?.at ?? NaN) - at
}

t.test('an unreadable CONNECT counter is no evidence: the evacuation ends on told + grace while CONNECTs arrive unseen', async (t) => {
  const sim = await startDouble(t, { nodeName: 'emqx@127.0.0.1', connections: 0 })
  // both 5.x sources answer 500; availability_check and the rest are unaffected
  await sim.setFault('5xx', { path: 'connects' })
  const timer = setInterval(() => { sim.connect(1) }, 50)
  t.teardown(() => { clearInterval(timer) })
  const sc = await evacuating(t, sim)
  const took = await evacuate(sc, sim)
  t.ok(took <= 5000, `EMQX asked ${took} ms after the request (told + grace; the arrivals cannot be seen)`)
  const ended = await sc.waitForLog((l) => l.event === 'evacuation_ack_ended', 2000, 'ack ended')
  t.match(ended, { endedBy: 'all_told', arrivals: 'no_counter' })
  t.match(ended.msg, /no arrival evidence: CONNECT counter not readable/)
  const e = await evidence(sc)
  t.equal(e.verdict, 'no_counter', 'never "quiet"')
  t.match(e.error, /\/api\/v5\/prometheus\/stats: EMQX answered 500; \/api\/v5\/metrics\?node=emqx%40127\.0\.0\.1: EMQX answered 500/)
  const m = await scrape(sc.url)
  t.equal(m.get('emqx_lb_sidecar_connect_evidence_readable'), 0)
  t.equal(m.get('emqx_lb_sidecar_connects_while_draining_total{phase="before_eviction"}'), 0, 'nothing counted that was not read')
  const probe = await request(`${sc.url}/readyz`)
  await probe.body.dump()
  t.equal(probe.statusCode, 503, 'the drain itself is unaffected')
})

t.test('a node without traffic cannot tell quiet from chance: too_little_traffic, told + grace', async (t) => {
  const sim = await startDouble(t, { nodeName: 'emqx@127.0.0.1', connections: 0 })
  const sc = await evacuating(t, sim)
  // two baseline intervals of readings, no CONNECT: the usual rate is 0
  await waitFor(async () => await evidence(sc), (e) => e.usual_rate_per_second === 0, { what: 'a usual rate of 0', timeoutMs: 10_000 })
  const took = await evacuate(sc, sim)
  t.ok(took <= 5000, `EMQX asked ${took} ms after the request`)
  const ended = await sc.waitForLog((l) => l.event === 'evacuation_ack_ended', 2000, 'ack ended')
  t.match(ended, { endedBy: 'all_told', arrivals: 'too_little_traffic' })
  t.match(ended.msg, /no arrival evidence: too little traffic to judge/)
  t.equal((await scrape(sc.url)).get('emqx_lb_sidecar_connect_evidence_readable'), 1, 'the counter itself is read')
})

t.test('counter reads: one per --connect-baseline-interval idle, one per poll while draining, none per probe', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', connections: 0 })
  const pollMs = 100
  const baselineMs = 1000
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', `${pollMs}ms`, '--connect-baseline-interval', `${baselineMs}ms`])
  await sc.waitForLog((l) => l.msg.startsWith('node is up'), 5000, 'up')
  await new Promise((resolve) => setTimeout(resolve, 500))
  const load = new ProbeLoad(sc.url, { loops: 4, pauseMs: 2 })
  const window = async (ms: number): Promise<{ reads: number, checks: number }> => {
    const r0 = sim.count(COUNTER_PATH)
    const c0 = sim.count('/api/v5/load_rebalance/availability_check')
    await new Promise((resolve) => setTimeout(resolve, ms))
    return { reads: sim.count(COUNTER_PATH) - r0, checks: sim.count('/api/v5/load_rebalance/availability_check') - c0 }
  }
  const idle = await window(3000)
  sim.startEvacuation()
  await waitFor(async () => await evidence(sc), (e) => e.verdict !== 'not_draining', { what: 'the drain seen', timeoutMs: 3000, intervalMs: 20 })
  const draining = await window(2000)
  const stats = await load.stop()
  t.comment(`counter reads: idle ${idle.reads} in 3 s (${idle.checks} checks), draining ${draining.reads} in 2 s (${draining.checks} checks), ` +
    `${stats.count} probes`)
  t.ok(stats.count > 300, `the probes really ran (${stats.count})`)
  t.ok(idle.reads >= 2 && idle.reads <= 4, `idle: ${idle.reads} reads in 3 s at one per ${baselineMs} ms, whatever the probes`)
  // a read is one request (the source is found); a late loop reads less, never more
  t.ok(draining.reads >= 10 && draining.reads <= 2000 / pollMs + 2, `draining: ${draining.reads} reads in 2 s at one per ${pollMs} ms poll`)
})

t.test('CONNECTs after eviction began are counted apart and warned about once per drain', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', nodeName: 'emqx@127.0.0.1', connections: 100 })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--emqx-username', 'admin', '--emqx-password', 'public', '--poll-interval', '100ms'])
  await sc.waitForLog((l) => l.msg.startsWith('node is up'), 5000, 'up')
  await new Promise((resolve) => setTimeout(resolve, 300))
  // EMQX's own evacuation without a wait: evicting from the start
  sim.startEvacuation({ wait_health_check: 0 })
  await waitFor(async () => await (await request(`${sc.url}/status`)).body.json() as { drain_evidence: { eviction_since: string | null } },
    (d) => d.drain_evidence.eviction_since !== null, { what: 'eviction seen', timeoutMs: 5000, intervalMs: 20 })
  await new Promise((resolve) => setTimeout(resolve, 300))
  sim.connect(3)
  const warned = await sc.waitForLog((l) => l.event === 'connects_while_evicting', 3000, 'the warning')
  t.equal(warned.level, 'warn')
  t.match(warned, { arrived: 3, sinceEviction: 3, source: 'prometheus' })
  sim.connect(2)
  const m = await waitFor(async () => await scrape(sc.url), (s) => s.get('emqx_lb_sidecar_connects_while_draining_total{phase="evicting"}') === 5,
    { what: '5 counted while evicting', timeoutMs: 3000 })
  t.equal(m.get('emqx_lb_sidecar_connects_while_draining_total{phase="before_eviction"}'), 0)
  t.ok((m.get('emqx_lb_sidecar_connect_last_arrival_while_draining_timestamp_seconds') ?? 0) > Date.now() / 1000 - 10, 'the last arrival is recent')
  t.equal(sc.logs.filter((l) => l.event === 'connects_while_evicting').length, 1, 'warned once')
})

/**
 * Issue 38's "done when", against the built sidecar at its default --poll-interval (1s) and
 * --connect-baseline-interval (15s): asked to evacuate 4 s after it started, with CONNECTs arriving for 6 s
 * after the request (through a path the sidecar does not see: the double's counter only), it asks EMQX to evict
 * only after they stop, and within 5 s of it. Once for a node under load since the start, once for a node
 * with no CONNECT before the drain (usual rate 0) that gets a misrouted burst.
 */
for (const variant of ['under load from the start', 'a burst into a node without traffic'] as const) {
  t.test(`a sidecar 4 s old, ${variant}: eviction waits for the CONNECTs to stop, then starts within 5 s`, async (t) => {
    const sim = await startDouble(t, { nodeName: 'emqx@127.0.0.1', connections: 0 })
    const agentPort = await freePort()
    let timer: NodeJS.Timeout | undefined
    let lastAt = NaN
    const load = (): void => { timer = setInterval(() => { sim.connect(1); lastAt = Date.now() }, 50) }
    t.teardown(() => { clearInterval(timer) })
    if (variant === 'under load from the start') load()
    const sc = await startSidecar(t, ['--emqx-url', sim.url, '--emqx-username', 'admin', '--emqx-password', 'public', '--admin-token', TOKEN,
      '--agent-port', String(agentPort), '--wait-health-check', '30s'])
    const startedAt = Date.now()
    await agentChecker(t, agentPort)
    await waitFor(() => Date.now(), (now) => now >= startedAt + 4000, { what: '4 s after the start', timeoutMs: 6000, intervalMs: 20 })
    const res = await request(`${sc.url}/admin/evacuate`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
    const requestedAt = Date.now()
    await res.body.dump()
    t.equal(res.statusCode, 202)
    if (variant !== 'under load from the start') load()
    await waitFor(() => Date.now(), (now) => now >= requestedAt + 6000, { what: '6 s of CONNECTs', timeoutMs: 10_000, intervalMs: 20 })
    clearInterval(timer)
    const stoppedAt = lastAt
    t.same(sim.evacuationRequests.filter((r) => r.op === 'start'), [], 'EMQX not asked while CONNECTs arrive')
    const start = await waitFor(() => sim.evacuationRequests.find((r) => r.op === 'start'), (r) => r !== undefined,
      { what: 'EMQX asked to evacuate', timeoutMs: 10_000 })
    const after = (start?.at ?? NaN) - stoppedAt
    t.comment(`${variant}: asked ${after} ms after the last CONNECT (${(start?.at ?? NaN) - requestedAt} ms after the request)`)
    t.ok(after > 0 && after <= 5000, `asked after the last CONNECT and within 5 s of it: ${after} ms`)
    const ended = await sc.waitForLog((l) => l.event === 'evacuation_ack_ended', 2000, 'ack ended')
    t.match(ended, { endedBy: 'all_told', arrivals: 'quiet' })
    t.ok((ended.connectsSinceDrain as number) > 60, `counted during the drain: ${String(ended.connectsSinceDrain)}`)
  })
}

t.test('a rebalance donor seen without credentials counts the CONNECTs that reach it (the public Prometheus endpoint, in text)', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', nodeName: 'emqx@127.0.0.1', connections: 50 })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '200ms'])
  await sc.waitForLog((l) => l.msg.startsWith('node is up'), 5000, 'up')
  sim.connect(100)
  sim.becomeDonor()
  await waitFor(async () => await evidence(sc), (e) => e.verdict !== 'not_draining', { what: 'the donor\'s drain seen', timeoutMs: 5000, intervalMs: 20 })
  await new Promise((resolve) => setTimeout(resolve, 500))
  sim.connect(7)
  const m = await waitFor(async () => await scrape(sc.url), (s) => s.get('emqx_lb_sidecar_connects_while_draining_total{phase="before_eviction"}') === 7,
    { what: '7 CONNECTs counted while the donor drains', timeoutMs: 5000 })
  t.equal(m.get('emqx_lb_sidecar_connect_evidence_readable'), 1)
  const e = await evidence(sc) as Evidence & { source: string, connects_since_drain: number }
  t.match(e, { source: 'prometheus', connects_since_drain: 7 }, 'no API key: read from /api/v5/prometheus/stats')
  t.equal(sim.authHeaders.filter((h) => h !== undefined).length, 0, 'no credentials were sent')
})
