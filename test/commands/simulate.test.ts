import t from 'tap'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import type { Test } from 'tap'
import { once } from 'node:events'
import { request } from 'undici'
import { CLI, runCli } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'
import { startupBound } from '../../bench/lib/startup.js'

async function availability (base: string): Promise<number> {
  const res = await request(`${base}/api/v5/load_rebalance/availability_check`)
  await res.body.dump()
  return res.statusCode
}

t.test('simulate --help documents the control interface', async (t) => {
  const r = await runCli(['simulate', '--help'])
  t.equal(r.code, 0)
  for (const s of ['/_sim/evacuate', '/_sim/restore', '/_sim/fault/<name>', '--profile / SIDECAR_SIM_PROFILE', '--port / SIDECAR_SIM_PORT  (default 18083)', 'keys: e evacuate']) t.match(r.stdout, s)
})

t.test('simulate: bad options exit 2 listing every problem', async (t) => {
  const r = await runCli(['simulate', '--profile', 'v9', '--port', 'x'])
  t.equal(r.code, 2)
  t.match(r.stderr, /--profile: "v9"/)
  t.match(r.stderr, /--port: "x"/)
})

/** Runs `simulate` with `args` on a free port, its stdin a pipe; killed when the test ends. */
async function startSim (t: Test, args: string[]): Promise<{ child: ChildProcessWithoutNullStreams, exited: Promise<unknown[]>, base: string, out: () => string }> {
  const child = spawn(process.execPath, [CLI, 'simulate', '--port', '0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  const exited = once(child, 'exit')
  t.teardown(async () => { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited } })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
  const port = await waitFor(() => /"event":"sim_listening"[^\n]*"port":(\d+)/.exec(out)?.[1], (p) => p !== undefined,
    { what: 'sim_listening log', timeoutMs: startupBound().ms })
  return { child, exited, base: `http://127.0.0.1:${port}`, out: () => out }
}

t.test('simulate runs a node driven by stdin keys and HTTP, and exits on q', async (t) => {
  const { child, exited, base, out: output } = await startSim(t, ['--profile', 'v5', '--node-name', 'emqx9@127.0.0.1'])
  t.equal(await availability(base), 200)
  child.stdin.write('e\n')
  await waitFor(async () => await availability(base), (s) => s === 503, { what: 'key e to start an evacuation' })
  const st = await request(`${base}/api/v5/status?format=json`)
  t.match(await st.body.json(), { node_name: 'emqx9@127.0.0.1' })
  child.stdin.write('r')
  await waitFor(async () => await availability(base), (s) => s === 200, { what: 'key r to restore' })
  const res = await request(`${base}/_sim/donor`, { method: 'POST' })
  t.match(await res.body.json(), { role: 'donor', availability_check: 503 })
  child.stdin.write('q\n')
  const [code] = await exited
  t.equal(code, 0, 'q exits cleanly')
  t.match(output(), /"event":"sim_change","change":"evacuate"/)
})

t.test('simulate exits 0 on SIGTERM', async (t) => {
  const child = spawn(process.execPath, [CLI, 'simulate', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = once(child, 'exit')
  t.teardown(async () => { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited } })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
  await waitFor(() => out, (o) => o.includes('sim_listening'), { what: 'sim_listening log', timeoutMs: startupBound().ms })
  child.kill('SIGTERM')
  const [code] = await exited
  t.equal(code, 0)
})

t.test('simulate --cluster-peers and --role: the cluster view, cut off by key c and rejoined by key j', async (t) => {
  const args = ['--node-name', 'emqx-r@127.0.0.1', '--cluster-peers', 'emqx1@127.0.0.1, emqx2@127.0.0.1', '--role', 'replicant']
  const { child, exited, base } = await startSim(t, args)
  const auth = { authorization: `Basic ${Buffer.from('admin:public').toString('base64')}` }
  const nodes = async (): Promise<unknown> => ((await (await request(`${base}/api/v5/cluster`, { headers: auth })).body.json()) as { nodes: unknown }).nodes
  t.same(await nodes(), ['emqx-r@127.0.0.1', 'emqx1@127.0.0.1', 'emqx2@127.0.0.1'])
  child.stdin.write('c\n')
  await waitFor(nodes, (n) => JSON.stringify(n) === '["emqx-r@127.0.0.1"]', { what: 'key c to cut the node off' })
  t.same(await (await request(`${base}/api/v5/cluster/topology`, { headers: auth })).body.json(), [], 'a replicant without cores')
  child.stdin.write('j\n')
  await waitFor(nodes, (n) => (n as unknown[]).length === 3, { what: 'key j to rejoin' })
  child.stdin.write('q\n')
  t.equal((await exited)[0], 0)
  const bad = await runCli(['simulate', '--cluster-peers', 'emqx1', '--role', 'boss'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /--cluster-peers: "emqx1" is not an EMQX node name/)
  t.match(bad.stderr, /--role: "boss"/)
})
