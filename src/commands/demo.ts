import { spawnSync } from 'node:child_process'
import { agentReply } from '../agent/words.js'
import type { MembershipState } from '../state/membership.js'
import { helpText } from '../config/help.js'
import { demoOptions } from './demo-options.js'
import { parseOptions } from '../config/parse.js'
import { ConfigError } from '../errors.js'
import type { DemoLoad } from '../demo/load.js'
import { renderScreen, type NodeRow } from '../demo/screen.js'
import { startDemoStack, type DemoStack } from '../demo/stack.js'
import { applyAction } from '../emqx-double/control.js'
import { KEYS, listenToKeys } from './keys.js'

const SUMMARY = `Starts a local rehearsal: HAProxy running a shipped config, three mosquitto brokers standing in for EMQX nodes,
three simulated EMQX APIs (as \`emqx-lb-sidecar simulate\`), three sidecars and MQTT clients. Shows per-node state
and client counts live; keys evacuate/restore nodes. Needs haproxy and mosquitto installed.`

const INSTALL = 'the demo needs haproxy and mosquitto: ' +
  'apt-get install haproxy mosquitto (Debian/Ubuntu), brew install haproxy mosquitto (macOS)'
const USAGE = 'emqx-lb-sidecar demo [options]   (npm run demo -- [options])'

function findBinary (name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name} || ls /usr/sbin/${name} /usr/local/sbin/${name} 2>/dev/null`], { encoding: 'utf8' })
  const path = r.stdout.trim().split('\n')[0]
  return r.status === 0 && path !== undefined && path !== '' ? path : undefined
}

/** `emqx-lb-sidecar demo` (`npm run demo`): returns an exit code, or -1 while the demo runs. */
export async function demoMain (argv: string[]): Promise<number> {
  const parsed = parseOptions(demoOptions, argv, process.env)
  if (parsed.actions.help) { process.stdout.write(helpText(USAGE, SUMMARY, demoOptions)); return 0 }
  if (parsed.problems.length > 0) throw new ConfigError(parsed.problems)
  const v = parsed.values
  const haproxyBin = findBinary('haproxy')
  const mosquittoBin = findBinary('mosquitto')
  if (haproxyBin === undefined || mosquittoBin === undefined) {
    const missing = [haproxyBin === undefined ? 'haproxy' : '', mosquittoBin === undefined ? 'mosquitto' : ''].filter(Boolean)
    process.stderr.write(`emqx-lb-sidecar demo: ${missing.join(' and ')} not found; ${INSTALL}\n`)
    return 1
  }
  let Load: typeof DemoLoad
  try { ({ DemoLoad: Load } = await import('../demo/load.js')) } catch {
    process.stderr.write('emqx-lb-sidecar demo: the MQTT client library `mqtt` (a dependency of this package) is not installed: ' +
      'reinstall the package with its dependencies (npm install)\n')
    return 1
  }
  const tty = process.stdout.isTTY === true
  process.stderr.write('starting the demo stack...\n')
  const stack: DemoStack = await startDemoStack({
    haproxyBin, mosquittoBin, configName: v['lb-config'], mqttPort: v['mqtt-port'], nodeCount: 3,
  })
  for (const n of stack.nodes) process.stderr.write(`${n.name}: live page http://127.0.0.1:${n.sidecar.httpPort}/ui\n`)
  const clients = v['clients']
  const load = new Load(stack.nodes, { waitHealthCheckMs: v['wait-health-check'], evictPerSecond: v['evict-rate'] })
  load.start(`mqtt://127.0.0.1:${stack.mqttPort}`, clients)

  let selected = 0
  let message = 'ready'
  let last = ''
  let drawing = false
  const draw = async (): Promise<void> => {
    if (drawing) return
    drawing = true
    try {
      const stats = await stack.haproxy.stats().catch(() => [])
      const rows: NodeRow[] = stack.nodes.map((n) => {
        const p = n.sim.process
        const snap = n.sidecar.store.current
        return {
          name: n.name,
          process: p.kind === 'none'
            ? (n.sim.running ? 'none' : 'EMQX stopped')
            : `${p.kind === 'rebalance' ? `rebalance ${p.role}` : p.kind}: ${p.state}`,
          availability: n.sim.available ? 200 : 503,
          sidecar: snap.state,
          agent: agentReply(snap, n.drainWord).line.split(' #')[0] ?? '',
          lb: stats.find((s) => s.server === n.name),
          brokerClients: n.broker.clients.size,
          cluster: clusterCell(snap.membership),
          page: `http://127.0.0.1:${n.sidecar.httpPort}/ui`,
        }
      })
      const screen = renderScreen({
        mqttPort: stack.mqttPort, configName: stack.configName, rows, selected, connected: load.connected, total: clients, message,
      })
      if (tty) process.stdout.write(`\x1b[H\x1b[2J${screen}`)
      else if (screen !== last) process.stdout.write(`${screen}---\n`) // piped: only frames that changed
      last = screen
    } finally { drawing = false }
  }
  const timer = setInterval(() => { draw() }, 500)
  draw()

  let stopping: Promise<void> | undefined
  const stop = (why: string): void => {
    stopping ??= (async () => {
      clearInterval(timer)
      restoreKeys()
      process.stderr.write(`stopping the demo (${why})...\n`)
      await load.stop()
      await stack.stop()
      process.stderr.write('demo stopped\n')
      process.exit(0)
    })()
  }
  const restoreKeys = listenToKeys(process.stdin, (key) => {
    if (key === 'q') { stop('q'); return }
    const n = Number(key)
    if (Number.isInteger(n) && n >= 1 && n <= stack.nodes.length) {
      selected = n - 1
      message = `selected ${stack.nodes[selected]?.name ?? ''}`
      draw()
      return
    }
    const action = KEYS[key]
    const node = stack.nodes[selected]
    if (action === undefined || node === undefined) { message = `unknown key "${key}"`; draw(); return }
    const query = new URLSearchParams({ wait_health_check: String(v['wait-health-check'] / 1000) })
    applyAction(node.sim, action, query).then((a) => {
      // the other nodes lose sight of a node cut off, and see it again when it rejoins: one cluster, both sides of the cut
      for (const other of stack.nodes) {
        if (other === node || a.status !== 200) continue
        if (action === 'cut-off') other.sim.losePeer(node.sim.nodeName)
        if (action === 'rejoin' || action === 'restore') other.sim.seePeer(node.sim.nodeName)
      }
      message = a.status === 200 ? `${node.name}: ${action}` : `${node.name}: ${action} refused (${String(a.doc.error)})`
      draw()
    })
  })
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGHUP', () => stop('SIGHUP'))
  return -1
}

/** The demo's cluster column: running nodes in the node's own view of the expected, `OUT` while it drains for it. */
function clusterCell (m: MembershipState | undefined): string {
  if (m === undefined) return '-'
  const n = m.view?.running.length
  return `${n ?? '?'}/${m.expect}${m.drains ? ' OUT' : m.verdict === 'unknown' ? ' (unreadable)' : ''}`
}
