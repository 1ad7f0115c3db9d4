import t from 'tap'
import { request } from 'undici'
import { startShippedHaproxy, waitForServer } from '../support/haproxy.js'
import { startNodes } from '../support/mqtt-stack.js'
import { tempDir } from '../support/tmpdir.js'
import { waitFor } from '../support/wait.js'

/**
 * Drain acknowledgement with real HAProxy as the checker: the sidecar of a draining node says "all
 * checkers told" exactly when HAProxy has had `fall` drain answers (1 for the agent's `drain`, the
 * config's `fall 2` for httpchk), and by then HAProxy really has taken the server out.
 */
interface Ack { acknowledged: boolean, acknowledged_after_seconds: number | null, checkers_told: number, checkers_active: number }
interface Checker { kind: string, source: string, drain_answers: number, fall: number, told: boolean, interval_ms: number | null }
interface Status { state: string, drain_acknowledgement: Ack, checkers: Checker[] }

const VARIANTS = [
  { config: 'haproxy-agent.cfg', kind: 'agent', fall: 1, args: [] as string[], out: (s: string) => s === 'MAINT' },
  // the shipped httpchk config uses `fall 2`: tell the sidecar so
  { config: 'haproxy-httpchk.cfg', kind: 'http', fall: 2, args: ['--checker-fall', '2'], out: (s: string) => s.startsWith('DOWN') },
] as const

for (const v of VARIANTS) {
  t.test(`${v.config}: drain acknowledged after ${v.fall} drain answer(s) to HAProxy, not before`, async (t) => {
    const dir = tempDir(t)
    const nodes = await startNodes(t, dir, 3, [...v.args])
    if (nodes === undefined) return
    const lb = await startShippedHaproxy(t, dir, v.config, { servers: nodes.map((n) => ({ mqttPort: n.mqttPort, checkPort: v.kind === 'agent' ? n.agentPort : n.sidecar.port })) })
    if (lb === undefined) return
    for (const n of nodes) await waitForServer(lb.haproxy, n.name, (s) => s.status === 'UP', 'UP')
    const node = nodes[1]
    if (node === undefined) throw new Error('three nodes expected')
    const status = async (): Promise<Status> => await (await request(`${node.sidecar.url}/status`)).body.json() as Status
    // HAProxy is a known checker with a measured interval before the drain starts
    await waitFor(status, (s) => s.checkers.some((c) => c.kind === v.kind && c.interval_ms !== null), { what: `HAProxy seen as a ${v.kind} checker`, timeoutMs: 10_000 })

    const flippedAt = performance.now()
    node.sim.startEvacuation()
    const samples: Status[] = []
    const final = await waitFor(async () => { const s = await status(); samples.push(s); return s }, (s) => s.drain_acknowledgement.acknowledged,
      { what: 'drain acknowledged', timeoutMs: 10_000, intervalMs: 20 })
    const took = performance.now() - flippedAt

    const haproxyChecker = (s: Status): Checker | undefined => s.checkers.find((c) => c.kind === v.kind)
    for (const s of samples) {
      const c = haproxyChecker(s)
      if (c === undefined) continue
      // the verdict follows the count of drain answers HAProxy received, sample by sample
      if (s.drain_acknowledgement.acknowledged !== (c.drain_answers >= v.fall)) t.fail(`acknowledged=${String(s.drain_acknowledgement.acknowledged)} with ${c.drain_answers} drain answers (fall ${v.fall})`)
    }
    const c = haproxyChecker(final)
    t.match(c, { kind: v.kind, source: '127.0.0.1', fall: v.fall, told: true })
    t.ok((c?.drain_answers ?? 0) >= v.fall, `HAProxy got ${c?.drain_answers ?? 0} drain answers (fall ${v.fall})`)
    t.match(final.drain_acknowledgement, { acknowledged: true, checkers_told: 1, checkers_active: 1 })
    await waitForServer(lb.haproxy, node.name, (s) => v.out(s.status), 'out of rotation', 2000)
    t.ok(node.sidecar.logs.some((l) => l.event === 'drain_acknowledged'), 'the moment is logged')
    // the sidecar counts from the drain it saw, which is after EMQX's flip: never more than the time measured here
    const after = final.drain_acknowledgement.acknowledged_after_seconds
    t.ok(after !== null && after > 0 && after * 1000 <= took + 100,
      `acknowledged ${Math.round(took)}ms after EMQX's flip (sidecar says ${after ?? 'null'}s after the drain began)`)

    node.sim.stopProcess()
    await waitFor(status, (s) => s.state === 'up' && s.drain_acknowledgement.acknowledged === false, { what: 'drain over', timeoutMs: 10_000 })
  })
}
