import t from 'tap'
import { spawn } from 'node:child_process'
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

t.test('simulate runs a node driven by stdin keys and HTTP, and exits on q', async (t) => {
  const child = spawn(process.execPath, [CLI, 'simulate', '--port', '0', '--profile', 'v5', '--node-name', 'emqx9@127.0.0.1'], { stdio: ['pipe', 'pipe', 'pipe'] })
  const exited = once(child, 'exit')
  t.teardown(async () => { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited } })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
  const port = await waitFor(() => /"event":"sim_listening"[^\n]*"port":(\d+)/.exec(out)?.[1], (p) => p !== undefined,
    { what: 'sim_listening log', timeoutMs: startupBound().ms })
  const base = `http://127.0.0.1:${port}`
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
  t.match(out, /"event":"sim_change","change":"evacuate"/)
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
