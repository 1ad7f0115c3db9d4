import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { requireBinary } from '../support/components.js'
import { CLI, runCli } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'
import { startupBound } from '../../bench/lib/startup.js'

/**
 * Runs `emqx-lb-sidecar demo` with piped stdin/stdout: it then prints each changed frame, ending with `---`.
 * The demo runs in its own process group: whatever path the test takes, its teardown kills the group (SIGKILL),
 * so the HAProxy and mosquitto processes the demo started go with it even when the demo itself is killed.
 */
function startDemo (t: Test, args: string[]): { write: (s: string) => void, frame: () => string, all: () => string, exited: Promise<unknown[]>, kill: (s: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, [CLI, 'demo', ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
  child.stderr.setEncoding('utf8').on('data', (c: string) => { err += c })
  const exited = once(child, 'exit')
  t.teardown(async () => {
    const alive = child.exitCode === null && child.signalCode === null
    // a negative pid is the group; never 0 (our own group). ESRCH: the group is gone already
    if (child.pid !== undefined && child.pid > 0) try { process.kill(-child.pid, 'SIGKILL') } catch {}
    if (alive) await exited
  })
  const frames = (): string[] => out.split('---\n').filter((f) => f.trim() !== '')
  return {
    write: (s) => { child.stdin.write(s) },
    frame: () => frames().at(-1) ?? `(no frame yet; stderr: ${err})`,
    all: () => out + err,
    exited,
    kill: (s) => { child.kill(s) },
  }
}

/** The demo's start (three brokers, three sidecars, HAProxy, the clients): 20 s on a quiet machine, scaled by load. */
const demoStartMs = (): number => startupBound(20_000).ms

const row = (frame: string, node: string): string[] => (frame.split('\n').find((l) => l.slice(2).startsWith(node)) ?? '').trim().replace(/^> /, '').split(/\s{2,}/)
const mqttPortOf = (frame: string): number => Number(/127\.0\.0\.1:(\d+)/.exec(frame)?.[1])

async function refused (port: number): Promise<boolean> {
  const s = connect(port, '127.0.0.1')
  return await new Promise((resolve) => { s.on('connect', () => { s.destroy(); resolve(false) }); s.on('error', () => resolve(true)) })
}

t.test('demo --help lists its options', async (t) => {
  const r = await runCli(['demo', '--help'])
  t.equal(r.code, 0)
  t.match(r.stdout, '--lb-config / SIDECAR_DEMO_LB_CONFIG')
})

t.test('demo: keys evacuate a node (HAProxy drains it, its clients move), restore it, q exits and stops everything', async (t) => {
  if (requireBinary(t, 'haproxy', 'haproxy') === undefined || requireBinary(t, 'mosquitto', 'mosquitto') === undefined) return
  const demo = startDemo(t, ['--clients', '9', '--wait-health-check', '1s', '--evict-rate', '20'])
  const ready = await waitFor(demo.frame, (f) => /9\/9 demo clients connected/.test(f) && ['emqx1', 'emqx2', 'emqx3'].every((n) => row(f, n)[5] === 'UP'),
    { what: 'all nodes UP and 9 clients connected', timeoutMs: demoStartMs(), intervalMs: 50 })
  const port = mqttPortOf(ready)
  t.same(['emqx1', 'emqx2', 'emqx3'].map((n) => Number(row(ready, n)[6])).reduce((a, b) => a + b, 0), 9, 'the brokers hold the 9 clients')
  demo.write('2\ne\n')
  const drained = await waitFor(demo.frame, (f) => row(f, 'emqx2')[5] === 'MAINT' && row(f, 'emqx2')[6] === '0' && /9\/9/.test(f),
    { what: 'emqx2 MAINT with its clients moved elsewhere', timeoutMs: 20_000, intervalMs: 50 })
  t.match(row(drained, 'emqx2'), ['emqx2', 'evacuation: prohibiting', '503', 'draining', 'up maint', 'MAINT', '0'])
  demo.write('r\n')
  await waitFor(demo.frame, (f) => row(f, 'emqx2')[5] === 'UP' && row(f, 'emqx2')[4] === 'up ready', { what: 'emqx2 back UP after r', timeoutMs: 10_000, intervalMs: 50 })
  // the node leaves the cluster (key c): EMQX still says 200, the sidecar drains it (not_in_cluster), the others see 2 of 3 and stay
  demo.write('c\n')
  const cut = await waitFor(demo.frame, (f) => row(f, 'emqx2')[5] === 'MAINT' && row(f, 'emqx2')[7] === '1/3 OUT',
    { what: 'emqx2 cut off: MAINT (the agent\'s default drain word) with 1/3 OUT', timeoutMs: 10_000, intervalMs: 50 })
  t.match(row(cut, 'emqx2'), ['emqx2', 'none', '200', 'draining', 'up maint', 'MAINT'])
  await waitFor(demo.frame, (f) => row(f, 'emqx1')[7] === '2/3' && row(f, 'emqx3')[7] === '2/3', { what: 'the others see 2 of 3', timeoutMs: 10_000, intervalMs: 50 })
  t.same(['emqx1', 'emqx3'].map((n) => row(demo.frame(), n)[5]), ['UP', 'UP'], 'the majority stays in rotation')
  demo.write('j\n')
  await waitFor(demo.frame, (f) => row(f, 'emqx2')[5] === 'UP' && row(f, 'emqx2')[7] === '3/3', { what: 'emqx2 back UP after j', timeoutMs: 10_000, intervalMs: 50 })
  demo.write('q\n')
  const [code] = await demo.exited
  t.equal(code, 0, 'q exits 0')
  t.ok(await refused(port), 'HAProxy is gone after q')
})

t.test('demo: SIGTERM stops the stack and exits 0', async (t) => {
  if (requireBinary(t, 'haproxy', 'haproxy') === undefined || requireBinary(t, 'mosquitto', 'mosquitto') === undefined) return
  const demo = startDemo(t, ['--clients', '3'])
  const f = await waitFor(demo.frame, (fr) => /3\/3 demo clients connected/.test(fr),
    { what: '3 clients connected', timeoutMs: demoStartMs(), intervalMs: 50 })
  demo.kill('SIGTERM')
  const [code] = await demo.exited
  t.equal(code, 0)
  t.match(demo.all(), /demo stopped/)
  t.ok(await refused(mqttPortOf(f)), 'HAProxy is gone after SIGTERM')
})
