import t from 'tap'
import { request } from 'undici'
import { startShippedHaproxy, waitForServer, type ServerStat } from '../support/haproxy.js'
import { landedOn } from '../support/mosquitto.js'
import { mqttClient, startNodes } from '../support/mqtt-stack.js'
import { tempDir } from '../support/tmpdir.js'
import { waitFor } from '../support/wait.js'

/**
 * Real HAProxy (the shipped agent-check config, ports localized), three mosquitto brokers as the MQTT side of
 * three EMQX nodes of one cluster, their EMQX API doubles (which see one another: GET /api/v5/cluster), three
 * built sidecar processes with --expect-cluster-size 3, real MQTT clients.
 */
const CLUSTER = ['--emqx-username', 'admin', '--emqx-password', 'public', '--expect-cluster-size', '3', '--cluster-interval', '250ms']
/** the shipped config's agent-inter */
const AGENT_INTER_MS = 1000
// the agent's default drain word, maint (src/agent/words.ts): HAProxy shows MAINT
const drained = (s: ServerStat): boolean => s.status === 'MAINT'

async function agentStatus (url: string): Promise<{ weight_percent: number | null, ramp_ends_at: string | null }> {
  const res = await request(`${url}/status`)
  return (await res.body.json() as { agent: { weight_percent: number | null, ramp_ends_at: string | null } }).agent
}

async function status (url: string): Promise<{ reason: string, membership: { verdict: string | null, running_count: number | null } }> {
  const res = await request(`${url}/status`)
  return await res.body.json() as never
}

t.test('a node cut off from a cluster of 3 leaves HAProxy within one agent check of the sidecar seeing it, and returns when it rejoins', async (t) => {
  const dir = tempDir(t)
  const nodes = await startNodes(t, dir, 3, CLUSTER, true)
  if (nodes === undefined) return
  const lb = await startShippedHaproxy(t, dir, 'haproxy-agent.cfg', { servers: nodes.map((n) => ({ mqttPort: n.mqttPort, checkPort: n.agentPort })) })
  if (lb === undefined) return
  const { haproxy } = lb
  for (const n of nodes) await waitForServer(haproxy, n.name, (s) => s.status === 'UP', 'UP')
  const [n1, n2, n3] = nodes
  if (n1 === undefined || n2 === undefined || n3 === undefined) return

  // one lost node never fails the others: emqx3 stops being seen by emqx1 and emqx2 (2 of 3 each)
  n1.sim.losePeer('emqx3@127.0.0.1')
  n2.sim.losePeer('emqx3@127.0.0.1')
  await waitFor(async () => await status(n2.sidecar.url), (s) => s.membership.running_count === 2, { what: 'emqx2 to see 2 of 3', timeoutMs: 5000 })
  await waitFor(async () => await status(n1.sidecar.url), (s) => s.membership.running_count === 2, { what: 'emqx1 to see 2 of 3', timeoutMs: 5000 })
  // two more agent checks: still UP
  await new Promise((resolve) => setTimeout(resolve, 2 * AGENT_INTER_MS + 200))
  const stats = await haproxy.stats()
  t.same(stats.filter((s) => s.server !== 'emqx3').map((s) => s.status), ['UP', 'UP'], 'a majority view stays in rotation')
  n1.sim.rejoin()
  n2.sim.rejoin()

  // emqx2 is cut off: it sees only itself, EMQX still answers availability_check 200
  n2.sim.cutOff()
  t.equal(n2.sim.availabilityStatus, 200, 'EMQX itself never looks at membership')
  const seen = await waitFor(async () => ({ s: await status(n2.sidecar.url), at: performance.now() }), (x) => x.s.reason === 'not_in_cluster',
    { what: 'the sidecar to see emqx2 cut off', timeoutMs: 5000, intervalMs: 20 })
  await waitForServer(haproxy, 'emqx2', drained, 'MAINT', 5000)
  const outMs = performance.now() - seen.at
  t.comment(`sidecar saw the cut -> HAProxy MAINT: ${Math.round(outMs)} ms (agent-inter ${AGENT_INTER_MS} ms)`)
  t.ok(outMs <= AGENT_INTER_MS * 1.05 + 400, `within one agent check (+5% spread-checks, +400 ms for a loaded box): ${Math.round(outMs)} ms`)
  const during = []
  for (let i = 0; i < 6; i++) during.push(await landedOn(nodes.map((n) => n.broker), (await mqttClient(t, `mqtt://127.0.0.1:${lb.port}`, `cut-${i}`)).id))
  t.same(during.filter((n) => n === 1), [], 'no new MQTT connection lands on the cut-off node')
  t.same((await haproxy.stats()).filter((s) => s.server !== 'emqx2').map((s) => s.status), ['UP', 'UP'], 'the others stay in rotation')

  // it rejoins: back in rotation, and leastconn sends it the next clients (it has the fewest)
  n2.sim.rejoin()
  await waitForServer(haproxy, 'emqx2', (s) => s.status === 'UP', 'UP again', 5000)
  t.match(await status(n2.sidecar.url), { reason: 'emqx_available', membership: { verdict: 'in_cluster', running_count: 3 } })
  const back = await mqttClient(t, `mqtt://127.0.0.1:${lb.port}`, 'back-1')
  t.equal(await landedOn(nodes.map((n) => n.broker), back.id), 1, 'the next client lands on emqx2 again')
})

t.test('--agent-ramp 20s: after a return the node\'s HAProxy weight rises from 10% to 100% (show stat)', async (t) => {
  const dir = tempDir(t)
  // only emqx2 ramps, so the others are at full weight from the start
  const nodes = await startNodes(t, dir, 3, (i) => (i === 1 ? [...CLUSTER, '--agent-ramp', '20s'] : CLUSTER), true)
  if (nodes === undefined) return
  const lb = await startShippedHaproxy(t, dir, 'haproxy-agent.cfg', { servers: nodes.map((n) => ({ mqttPort: n.mqttPort, checkPort: n.agentPort })) })
  if (lb === undefined) return
  const { haproxy } = lb
  const n2 = nodes[1]
  if (n2 === undefined) return
  await waitForServer(haproxy, 'emqx2', (s) => s.status === 'UP' && s.weight === 100, 'UP at weight 100 (its start-up ramp done)', 30_000)
  n2.sim.cutOff()
  await waitForServer(haproxy, 'emqx2', drained, 'MAINT', 5000)
  n2.sim.rejoin()
  // the ramp runs from the moment the sidecar saw the node up again (its own clock, said in /status): HAProxy sees
  // it once per agent-inter, later on a loaded box, so what HAProxy shows is measured against that start
  const agent = await waitFor(async () => await agentStatus(n2.sidecar.url), (a) => a.ramp_ends_at !== null,
    { what: 'the sidecar to start its ramp after the return', timeoutMs: 5000, intervalMs: 20 })
  const rampStart = Date.parse(agent.ramp_ends_at ?? '') - 20_000
  t.ok(agent.weight_percent !== null && agent.weight_percent >= 10 && agent.weight_percent <= 20, `the agent starts near 10% (${agent.weight_percent ?? 'null'}%)`)
  const first = await waitForServer(haproxy, 'emqx2', (s) => s.status === 'UP', 'UP again', 5000)
  const firstAt = (Date.now() - rampStart) / 1000
  const samples: Array<{ s: number, weight: number }> = [{ s: Math.round(firstAt * 10) / 10, weight: first.weight }]
  while (samples[samples.length - 1]?.weight !== 100) {
    if (Date.now() - rampStart > 30_000) break
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const row = (await haproxy.stats()).find((r) => r.server === 'emqx2')
    samples.push({ s: Math.round((Date.now() - rampStart) / 100) / 10, weight: row?.weight ?? -1 })
  }
  t.comment(`emqx2 weight after the return (seconds since the ramp began: weight of 100): ${samples.map((x) => `${x.s}:${x.weight}`).join(' ')}`)
  // HAProxy's weight is a word the agent said at most one agent check ago: never ahead of the ramp, never below 10%
  const rampAt = (sec: number): number => Math.min(100, 10 + 90 * sec / 20)
  t.ok(first.weight >= 10 && first.weight <= rampAt(firstAt) + 1, `HAProxy's first weight (${first.weight} at ${firstAt.toFixed(1)} s) is the ramp's, not full weight`)
  t.ok(samples.every((x, i) => i === 0 || x.weight >= (samples[i - 1]?.weight ?? 0)), 'never falls')
  t.ok(samples.every((x) => x.weight <= rampAt(x.s) + 1), 'never ahead of the ramp')
  t.ok(samples.some((x) => x.weight > 30 && x.weight < 90), 'passes through the middle: it rises over time, not in one step')
  t.equal(samples[samples.length - 1]?.weight, 100, 'reaches 100%')
  const at100 = samples[samples.length - 1]?.s ?? 0
  t.ok(at100 >= 18 && at100 <= 26, `at 100% about 20 s after the ramp began (${at100} s; one agent check and one 1 s sample late at most, on a loaded box more)`)
  for (const other of ['emqx1', 'emqx3']) t.equal((await haproxy.stats()).find((r) => r.server === other)?.weight, 100, `${other}: no ramp, full weight`)
})
