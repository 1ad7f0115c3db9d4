import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { doctorOptions } from '../../src/commands/doctor-options.js'
import { doctorSettings } from '../../src/commands/doctor.js'
import { parseOptions } from '../../src/config/parse.js'
import { checkFiles } from '../../src/doctor/check-files.js'
import { shippedConfig, startShippedHaproxy, waitForServer } from '../support/haproxy.js'
import { landedOn } from '../support/mosquitto.js'
import { mqttClient, startNodes, type TrackedClient } from '../support/mqtt-stack.js'
import { tempDir } from '../support/tmpdir.js'
import { waitFor } from '../support/wait.js'

/**
 * What two of doctor's findings claim, shown with real HAProxy 2.6, three mosquitto brokers for EMQX's MQTT
 * listeners, three EMQX API doubles, three sidecars and real MQTT clients (docs/doctor.md):
 * - HAPROXY_CHECK_ON_MQTT_PORT: a check that only connects to the MQTT port never sees a drain;
 * - HAPROXY_SHUTDOWN_SESSIONS: with an httpchk, a drain's 503 cuts every client of the node at once.
 * Each config is a shipped one with the one mistake edited in, and the doctor finds exactly that mistake in it.
 */
const settings = doctorSettings(parseOptions(doctorOptions, [], {}))
/** The doctor's codes for a shipped config with `edit` applied, as a user would have it (before the test localizes its ports). */
function codesIn (dir: string, name: string, edit: (text: string) => string): string[] {
  const file = join(dir, `as-written-${name}`)
  writeFileSync(file, edit(shippedConfig(name)))
  return checkFiles([file], settings).findings.map((f) => f.code)
}

t.test('a check on the MQTT port never sees a drain: HAProxy keeps emqx2 UP and sends it new clients (HAPROXY_CHECK_ON_MQTT_PORT)', async (t) => {
  const dir = tempDir(t)
  const nodes = await startNodes(t, dir, 3)
  if (nodes === undefined) return
  // haproxy-agent.cfg without the agent: only the L4 check of the MQTT port is left
  const edit = (text: string): string => text.replace('agent-check agent-inter 1s', '')
  const lb = await startShippedHaproxy(t, dir, 'haproxy-agent.cfg', { servers: nodes.map((n) => ({ mqttPort: n.mqttPort, checkPort: n.agentPort })) }, edit)
  if (lb === undefined) return
  t.same([...new Set(codesIn(dir, 'haproxy-agent.cfg', edit))], ['HAPROXY_CHECK_ON_MQTT_PORT'], 'the doctor finds the mistake, and only it')
  t.notMatch(readFileSync(lb.configFile, 'utf8'), /^\s*default-server[^\n]*agent-check/m)
  for (const n of nodes) await waitForServer(lb.haproxy, n.name, (s) => s.status === 'UP', 'UP')

  nodes[1]?.sim.startEvacuation()
  const sidecar = nodes[1]?.sidecar.url ?? ''
  await waitFor(async () => {
    const res = await fetch(`${sidecar}/availability`)
    await res.body?.cancel()
    return res.status
  }, (s) => s === 503, { timeoutMs: 10_000, intervalMs: 100, what: 'the sidecar of node 2 to answer 503 (draining)' })
  // The shipped config takes the node out within ~2 s of this (test/e2e/haproxy.test.ts); watch this one for
  // two L4 check cycles (inter 2s x fall 3 would take a dead broker out in 6 s): it stays UP throughout.
  const statuses = new Set<string>()
  const until = Date.now() + 4000
  while (Date.now() < until) {
    statuses.add((await lb.haproxy.stats()).find((s) => s.server === 'emqx2')?.status ?? 'missing')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.same([...statuses], ['UP'], 'HAProxy shows the draining node UP all along')
  const brokers = nodes.map((n) => n.broker)
  const landed: number[] = []
  for (let i = 0; i < 6; i++) {
    const c = await mqttClient(t, `mqtt://127.0.0.1:${lb.port}`, `mqtt-port-check-${i}`)
    landed.push(await landedOn(brokers, c.id))
  }
  t.equal(landed.filter((n) => n === 1).length, 2, `new clients still land on the draining node 2, its share of leastconn (${landed.join(' ')})`)
})

t.test('on-marked-down shutdown-sessions with an httpchk: a drain\'s 503 cuts every client of the node at once (HAPROXY_SHUTDOWN_SESSIONS)', async (t) => {
  const dir = tempDir(t)
  const nodes = await startNodes(t, dir, 3)
  if (nodes === undefined) return
  const edit = (text: string): string => text.replace('default-server check inter 1s fastinter 500ms downinter 2s fall 2 rise 2',
    'default-server check inter 1s fastinter 500ms downinter 2s fall 2 rise 2 on-marked-down shutdown-sessions')
  const lb = await startShippedHaproxy(t, dir, 'haproxy-httpchk.cfg', { servers: nodes.map((n) => ({ mqttPort: n.mqttPort, checkPort: n.sidecar.port })) }, edit)
  if (lb === undefined) return
  t.same(codesIn(dir, 'haproxy-httpchk.cfg', edit), ['HAPROXY_SHUTDOWN_SESSIONS'], 'the doctor finds the mistake, and only it')
  for (const n of nodes) await waitForServer(lb.haproxy, n.name, (s) => s.status === 'UP', 'UP')
  const brokers = nodes.map((n) => n.broker)
  const clients: Array<{ c: TrackedClient, node: number }> = []
  for (let i = 0; i < 9; i++) {
    const c = await mqttClient(t, `mqtt://127.0.0.1:${lb.port}`, `shutdown-sessions-${i}`)
    clients.push({ c, node: await landedOn(brokers, c.id) })
  }
  const onNode2 = clients.filter((x) => x.node === 1)
  t.equal(onNode2.length, 3, 'leastconn put three clients on node 2')

  nodes[1]?.sim.startEvacuation()
  await waitForServer(lb.haproxy, 'emqx2', (s) => s.status.startsWith('DOWN'), 'DOWN', 10_000)
  await waitFor(() => onNode2.filter((x) => x.c.closedAt !== undefined).length, (n) => n === onNode2.length,
    { timeoutMs: 5000, intervalMs: 20, what: 'HAProxy to cut the clients of node 2' })
  const cutAt = onNode2.map((x) => x.c.closedAt ?? 0)
  t.ok(Math.max(...cutAt) - Math.min(...cutAt) < 500, `all three cut together (within ${Math.max(...cutAt) - Math.min(...cutAt)} ms), ` +
    'before EMQX would evict a single one (wait_health_check)')
  t.same(clients.filter((x) => x.node !== 1 && x.c.closedAt !== undefined).map((x) => x.c.id), [], 'clients of the other nodes stay')
})
