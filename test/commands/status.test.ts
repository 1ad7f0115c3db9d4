import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { request } from 'undici'
import { formatStatus } from '../../src/commands/status-format.js'
import { startDouble } from '../support/emqx-double.js'
import { runCli, startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

const CREDS = { SIDECAR_EMQX_USERNAME: 'admin', SIDECAR_EMQX_PASSWORD: 'public' }
const getJson = async (url: string): Promise<Record<string, unknown>> => await (await request(url)).body.json() as Record<string, unknown>

t.test('`status` prints the node, its checkers and the cluster view from a running sidecar', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', nodeName: 'emqx@n1', connections: 1000 })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--cluster-interval', '100ms', '--shutdown-delay', '0s'], CREDS)
  await waitFor(() => getJson(`${sc.url}/status`), (d) => d.state === 'up' && d.cluster !== null, { what: 'up with a cluster view', timeoutMs: 5000 })
  sim.becomeDonor('emqx@n1', ['emqx@n4'])
  // EMQX reports the averages (and so the balance condition) once eviction starts
  sim.setProcessState('evicting_conns')
  await waitFor(() => getJson(`${sc.url}/status`), (d) => d.state === 'draining', { what: 'draining', timeoutMs: 3000 })
  // three HTTP checks from this test act as a load balancer with fall 3
  const probe = async (): Promise<void> => { await (await request(`${sc.url}/availability`, { headers: { 'user-agent': 'test-lb' } })).body.dump() }
  for (let i = 0; i < 3; i++) await probe()
  // and it goes on probing, as a load balancer does: a checker silent for 5 s drops out of the expected ones
  // (src/checkers/rule.ts), and the CLI below can take that long to start on a loaded machine
  const prober = setInterval(() => { probe().catch(() => {}) }, 200)
  t.teardown(() => { clearInterval(prober) })
  const doc = await waitFor(() => getJson(`${sc.url}/status`), (d) => (d.cluster as { rebalances?: unknown[] } | null)?.rebalances?.length === 1, { what: 'rebalance in cluster view', timeoutMs: 3000 })
  t.match(doc, {
    drain_acknowledgement: { acknowledged: true, checkers_told: 1, checkers_active: 1 },
    checkers: [{ kind: 'http', user_agent: 'test-lb', told: true }],
    cluster: { rebalances: [{ coordinator_node: 'emqx@n1', donors: ['emqx@n1'], recipients: ['emqx@n4'], balanced: { connections: true } }] },
  })
  const answers = (doc.checkers as Array<{ drain_answers: number }>)[0]?.drain_answers ?? 0
  t.ok(answers >= 3, `at least the 3 drain answers it was given (${answers})`)
  t.ok(sc.logs.some((l) => l.event === 'drain_acknowledged'), 'acknowledgement logged')

  const r = await runCli(['status', '--url', sc.url])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /^Node emqx@n1: DRAINING \(no new connections\)/)
  t.match(r.stdout, /Local rebalance \(this node's own status, read with each check\): rebalance, state: evicting_conns, coordinator: emqx@n1/)
  t.match(r.stdout, /1\/1 checkers told; acknowledged: yes/)
  t.match(r.stdout, /http 127\.0\.0\.1 "test-lb": every \d+ms, fall 3, last answer 503, told: yes \(\d+ drain answers\)/)
  t.match(r.stdout, /Cluster rebalance coordinated by emqx@n1/)
  // EMQX's CONNECT counter, read from the double's /api/v5/prometheus/stats at every poll of the drain: no CONNECT, and
  // too short a history for a usual rate
  t.match(r.stdout, /^Arrivals \(EMQX's CONNECT counter, GET \/api\/v5\/prometheus\/stats\): too little traffic to judge \(usual rate/m)
  t.match(r.stdout, /^ {2}since the drain began at \S+Z: 0 CONNECTs(, 0 since eviction began at \S+Z)?; last arrival none; quiet for [\d.]+s/m)
  const j = await runCli(['status', '--url', sc.url, '--json'])
  t.match(JSON.parse(j.stdout), { state: 'draining' })

  const metrics = await (await request(`${sc.url}/metrics`)).body.text()
  t.match(metrics, /emqx_lb_sidecar_drain_acknowledged 1/)
  t.match(metrics, /emqx_lb_sidecar_checkers\{kind="http"\} 1/)
  t.match(metrics, /emqx_lb_sidecar_cluster_processes\{process="rebalance"\} 1/)
  t.match(metrics, /emqx_lb_sidecar_cluster_rebalance_balanced\{coordinator="emqx@n1",unit="connections"\} 1/)
})

t.test('`status` against nothing: exit 1 with a one-line reason', async (t) => {
  const r = await runCli(['status', '--url', 'http://127.0.0.1:9', '--timeout', '1s'])
  t.equal(r.code, 1)
  t.match(r.stderr, /cannot read http:\/\/127\.0\.0\.1:9\/status \(ECONNREFUSED\)/)
})

t.test('`status` rejects bad flags with exit 2', async (t) => {
  const r = await runCli(['status', '--url', 'nope'])
  t.equal(r.code, 2)
  t.match(r.stderr, /--url: is not a URL \(e\.g\. http:\/\/127\.0\.0\.1:9183\)/, 'the example is a sidecar URL, not EMQX\'s port')
})

t.test('`status` pointed at something that is not a sidecar says so: exit 1, no parser error', async (t) => {
  const html = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>EMQX Dashboard</html>') })
  html.listen(0, '127.0.0.1')
  await once(html, 'listening')
  t.teardown(() => { html.close() })
  const other = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"data":[]}') })
  other.listen(0, '127.0.0.1')
  await once(other, 'listening')
  t.teardown(() => { other.close() })
  const sim = await startDouble(t, { profile: 'v5' })
  for (const [what, url, answer] of [
    ['an HTML page', `http://127.0.0.1:${(html.address() as AddressInfo).port}`, /answered 200 text\/html, not a sidecar \/status document/],
    ['another JSON API', `http://127.0.0.1:${(other.address() as AddressInfo).port}`, /answered 200 application\/json, not a sidecar \/status document/],
    ['EMQX itself (its /status is plain text)', sim.url, /answered 200 text\/plain, not a sidecar \/status document/],
  ] as const) {
    const r = await runCli(['status', '--url', url, '--timeout', '2s'])
    t.equal(r.code, 1, `${what}: exit 1`)
    t.match(r.stderr, answer, what)
    t.match(r.stderr, /is --url an emqx-lb-sidecar \(its --port, default 9183\)/, `${what}: says what it is not`)
    t.notMatch(r.stderr, /SyntaxError/, `${what}: no parser error`)
  }
})

t.test('the text rendering copes with a minimal document and flags warnings', async (t) => {
  const text = formatStatus({ state: 'up', available: true, emqx: { drains_detectable: false, config_error: 'EMQX answered 401' }, checkers: [{ kind: 'http', source: 'x', user_agent: '', probes: 5, within_budget: false }], drain_acknowledgement: { draining_since: null } })
  t.match(text, /UP \(gets new connections\)/)
  t.match(text, /drains cannot be detected/)
  t.match(text, /CONFIGURATION ERROR: EMQX answered 401/)
  t.match(text, /http x: interval not known yet/, 'a checker without an interval')
  t.notMatch(text, /every -ms/)
  t.match(text, /TOO SLOW/)
  t.match(text, /Cluster: not readable/)
})

t.test('one-off requests (a curl) are listed apart from the load-balancer checkers, never as too slow', async (t) => {
  const text = formatStatus({
    state: 'up',
    available: true,
    checkers: [
      { kind: 'http', source: '10.0.0.5', user_agent: 'HAProxy', probes: 40, interval_ms: 1000, within_budget: true },
      { kind: 'http', source: '10.9.9.9', user_agent: 'curl/8.5.0', probes: 2, interval_ms: 120_624, within_budget: false, last_seen: '2026-12-01T00:00:00.000Z' },
    ],
    drain_acknowledgement: { draining_since: null },
  })
  t.match(text, /Load balancer checkers: 1\n {2}http 10\.0\.0\.5 "HAProxy": every 1000ms/)
  t.match(text, /One-off requests \(fewer than 3 probes[^\n]*: 1\n {2}http 10\.9\.9\.9 "curl\/8\.5\.0": 2 probe\(s\)/)
  t.notMatch(text, /TOO SLOW/, 'a one-off client is not a slow load balancer')
})
