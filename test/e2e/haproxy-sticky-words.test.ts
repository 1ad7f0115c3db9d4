import t from 'tap'
import { haproxyCommand } from '../../src/demo/haproxy.js'
import { startShippedHaproxy, waitForServer, type RunningHaproxy, type ServerStat } from '../support/haproxy.js'
import { mqttClient, roundTrip, startNodes, type StackNode } from '../support/mqtt-stack.js'
import { landedOn } from '../support/mosquitto.js'
import {
  reconnectAll, rememberClients, withGuideStickiness, withShutdownSessions, withSourceHash, withStderrLog,
} from '../support/sticky.js'
import { tempDir } from '../support/tmpdir.js'
import { waitFor } from '../support/wait.js'

// every row of the measured table is a HAProxy stack of its own, one after another: 55 s alone on a quiet
// 2-CPU machine, 212 s beside the suite under a load of 25, past the 180 s every file gets (.taprc)
t.setTimeout(600_000)

/**
 * What each way of taking a node out does to clients HAProxy remembers (haproxy/README.md, "Stickiness and
 * drains", is this table). Real HAProxy 2.6 running the shipped agent-check config (or httpchk) with EMQX's
 * HAProxy guide's stick table added, three mosquitto brokers as the EMQX nodes' MQTT side, three EMQX API
 * doubles, three sidecar processes, MQTT clients with fixed client IDs.
 *
 * Per row: nine known clients connect once and leave (their stick entries stay), one client stays connected;
 * the node it is on is taken out; the known clients of that node reconnect; three new clients connect; the node
 * comes back; the known clients reconnect again.
 */
const BOUND_MS = 10_000
const KNOWN = 9

interface Ctx { readonly node: StackNode, readonly lb: RunningHaproxy, readonly server: string, readonly id: number }
interface Row {
  readonly name: string
  readonly config?: 'haproxy-httpchk.cfg'
  readonly edit?: (text: string) => string
  readonly stick?: false
  readonly out: (c: Ctx) => Promise<void>
  readonly back: (c: Ctx) => Promise<void>
  readonly shows: (s: ServerStat) => boolean
  /** the known clients of the node go back to it while it is out */
  readonly knownBack: boolean
  /** the connection open to the node when it went out is still open */
  readonly openKept: boolean
  /** HAProxy's log line for the change, with its syslog priority */
  readonly log: RegExp
  /** after the node is back, its known clients land on it again */
  readonly knownReturn: boolean
}

const cmd = async (c: Ctx, line: string): Promise<void> => { await haproxyCommand(c.lb.haproxy.socketPath, line) }
const evacuate = async (c: Ctx): Promise<void> => { c.node.sim.startEvacuation() }
const stopEvacuation = async (c: Ctx): Promise<void> => { c.node.sim.stopProcess() }
const failEmqx = async (c: Ctx): Promise<void> => { await c.node.sim.setFault('5xx') }
const healEmqx = async (c: Ctx): Promise<void> => { await c.node.sim.setFault('none') }
// the agent's next `ready` would undo a runtime state change within a second: disabled first (haproxy/README.md)
const runtime = (state: 'drain' | 'maint', clear = false) => async (c: Ctx): Promise<void> => {
  await cmd(c, `disable agent emqx_mqtt/${c.server}`)
  await cmd(c, `set server emqx_mqtt/${c.server} state ${state}`)
  if (clear) await cmd(c, `clear table emqx_mqtt data.server_id eq ${c.id}`)
}
const runtimeReady = async (c: Ctx): Promise<void> => {
  await cmd(c, `set server emqx_mqtt/${c.server} state ready`)
  await cmd(c, `enable agent emqx_mqtt/${c.server}`)
}
const isDrain = (s: ServerStat): boolean => s.status.startsWith('DRAIN')
const isMaint = (s: ServerStat): boolean => s.status.startsWith('MAINT')
const isDown = (s: ServerStat): boolean => s.status.startsWith('DOWN')
const DRAIN_LOG = /<5>Server emqx_mqtt\/emqx\d enters drain state/
const DOWN_AGENT_LOG = /<1>Server emqx_mqtt\/emqx\d is DOWN, reason: Layer7 wrong status.*via agent : down/
const MAINT_LOG = /<1>Server emqx_mqtt\/emqx\d is going DOWN for maintenance/

const MAINT_ROWS: Row[] = [
  { name: 'agent `up maint` (EMQX evacuating, the default)', out: evacuate, back: stopEvacuation, shows: isMaint, knownBack: false, openKept: true, log: MAINT_LOG, knownReturn: false },
  { name: 'agent `down` (EMQX failing)', out: failEmqx, back: healEmqx, shows: isDown, knownBack: false, openKept: true, log: DOWN_AGENT_LOG, knownReturn: false },
  { name: 'runtime `set server state drain`', out: runtime('drain'), back: runtimeReady, shows: isDrain, knownBack: true, openKept: true, log: DRAIN_LOG, knownReturn: true },
  { name: 'runtime `set server state maint`', out: runtime('maint'), back: runtimeReady, shows: isMaint, knownBack: false, openKept: true, log: MAINT_LOG, knownReturn: false },
  { name: 'runtime drain + `clear table data.server_id eq N`', out: runtime('drain', true), back: runtimeReady, shows: isDrain, knownBack: false, openKept: true, log: DRAIN_LOG, knownReturn: false },
  { name: 'shutdown-sessions, agent `up maint`', edit: withShutdownSessions, out: evacuate, back: stopEvacuation, shows: isMaint, knownBack: false, openKept: false, log: MAINT_LOG, knownReturn: false },
  { name: 'shutdown-sessions, agent `down`', edit: withShutdownSessions, out: failEmqx, back: healEmqx, shows: isDown, knownBack: false, openKept: false, log: DOWN_AGENT_LOG, knownReturn: false },
  { name: 'balance source + hash-type consistent, agent `up maint`', edit: withSourceHash, out: evacuate, back: stopEvacuation, shows: isMaint, knownBack: false, openKept: true, log: MAINT_LOG, knownReturn: false },
  { name: 'balance source + hash-type consistent without stick table, agent `up maint`', stick: false, edit: withSourceHash, out: evacuate, back: stopEvacuation, shows: isMaint, knownBack: false, openKept: true, log: MAINT_LOG, knownReturn: true },
  { name: 'httpchk 503 -> DOWN', config: 'haproxy-httpchk.cfg', out: evacuate, back: stopEvacuation, shows: isDown, knownBack: false, openKept: true, log: /<1>Server emqx_mqtt\/emqx\d is DOWN, reason: Layer7 wrong status, code: 503/, knownReturn: false },
]

const DRAIN_ROWS: Row[] = [
  { name: 'agent `up drain` (EMQX evacuating)', out: evacuate, back: stopEvacuation, shows: isDrain, knownBack: true, openKept: true, log: DRAIN_LOG, knownReturn: true },
  { name: 'shutdown-sessions, agent `up drain`', edit: withShutdownSessions, out: evacuate, back: stopEvacuation, shows: isDrain, knownBack: true, openKept: true, log: DRAIN_LOG, knownReturn: true },
  { name: 'balance source + hash-type consistent, agent `up drain`', edit: withSourceHash, out: evacuate, back: stopEvacuation, shows: isDrain, knownBack: true, openKept: true, log: DRAIN_LOG, knownReturn: true },
  { name: 'balance source + hash-type consistent without stick table, agent `up drain`', stick: false, edit: withSourceHash, out: evacuate, back: stopEvacuation, shows: isDrain, knownBack: false, openKept: true, log: DRAIN_LOG, knownReturn: true },
]

const GROUPS = [
  { name: 'the sidecar\'s defaults (`--agent-drain-word maint`)', args: [] as string[], rows: MAINT_ROWS },
  { name: '`--agent-drain-word drain`', args: ['--agent-drain-word', 'drain'], rows: DRAIN_ROWS },
]

for (const group of GROUPS) {
  t.test(`stickiness with ${group.name}: where remembered clients go when a node is taken out`, async (t) => {
    const dir = tempDir(t)
    // one failed EMQX check is enough for `down`, so that row does not wait three polls
    const nodes = await startNodes(t, dir, 3, ['--failure-threshold', '1', ...group.args])
    if (nodes === undefined) return
    const brokers = nodes.map((n) => n.broker)
    let seq = 0
    for (const row of group.rows) {
      seq++
      await t.test(row.name, async (t) => {
        const config = row.config ?? 'haproxy-agent.cfg'
        const servers = nodes.map((n) => ({ mqttPort: n.mqttPort, checkPort: config === 'haproxy-agent.cfg' ? n.agentPort : n.sidecar.port }))
        const edit = (text: string): string => withStderrLog((row.edit ?? ((x: string) => x))(row.stick === false ? text : withGuideStickiness(text)))
        const lb = await startShippedHaproxy(t, tempDir(t), config, { servers }, edit)
        if (lb === undefined) return
        for (const n of nodes) await waitForServer(lb.haproxy, n.name, (s) => s.status === 'UP', 'UP')
        const url = `mqtt://127.0.0.1:${lb.port}`
        const known = await rememberClients(t, url, brokers, Array.from({ length: KNOWN }, (_, i) => `r${seq}-k${i + 1}`))
        const open = await mqttClient(t, url, `r${seq}-open`)
        const target = await landedOn(brokers, open.id)
        const node = nodes[target] as StackNode
        const c: Ctx = { node, lb, server: node.name, id: target + 1 }
        const mine = known.on(target)
        t.ok(mine.length > 0, `${mine.length} known clients first landed on ${node.name}`)

        const logFrom = lb.haproxy.stderr.length
        await row.out(c)
        const seen = await waitForServer(lb.haproxy, c.server, row.shows, 'out of rotation', BOUND_MS)
        const back = await reconnectAll(t, url, brokers, mine)
        const fresh = await reconnectAll(t, url, brokers, [1, 2, 3].map((i) => `r${seq}-new${i}`))
        const log = lb.haproxy.stderr.slice(logFrom)
        t.comment(`${row.name}: ${seen.status}; known back ${back.filter((b) => b === target).length}/${mine.length}; ` +
        `log ${(log.match(/<\d>Server [^\n]*/) ?? ['-'])[0].slice(0, 90)}`)
        t.equal(back.filter((b) => b === target).length, row.knownBack ? mine.length : 0,
          row.knownBack ? 'every known client goes back to the node' : 'no known client goes back to the node')
        t.same(fresh.filter((f) => f === target), [], 'no new client lands on the node')
        if (row.openKept) {
          t.equal(open.closedAt, undefined, 'the connection already open stays open')
          await roundTrip(open)
        } else {
          await waitFor(() => open.closedAt, (at) => at !== undefined, { timeoutMs: BOUND_MS, what: `HAProxy to cut ${open.id}` })
          t.pass('the connection already open is cut')
        }
        t.match(log, row.log, 'HAProxy logs the change')

        await row.back(c)
        await waitForServer(lb.haproxy, c.server, (s) => s.status === 'UP', 'UP again', BOUND_MS)
        const again = await reconnectAll(t, url, brokers, mine)
        t.equal(again.filter((a) => a === target).length, row.knownReturn ? mine.length : 0,
          row.knownReturn ? 'back in rotation, its known clients land on it again' : 'back in rotation, its known clients stay where they went')
      })
    }
  })
}
