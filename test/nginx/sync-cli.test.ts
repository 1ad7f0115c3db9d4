import t from 'tap'
import type { Test } from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { requireBinary } from '../support/components.js'
import { startDouble, type EmqxDouble } from '../support/emqx-double.js'
import { runCli, startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

// These tests point nginx-sync straight at EMQX doubles (whose availability_check answers like the
// sidecar: 200 or 503) and at shell commands that record what ran; test/e2e/nginx.test.ts does the real thing.
const AVAIL = '/api/v5/load_rebalance/availability_check'

function workdir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-sync-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

function nodesArg (sims: EmqxDouble[]): string {
  return sims.map((s, i) => `127.0.0.1:${1883 + i} ${s.url}`).join(',')
}

const lines = (file: string): number => existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length : 0

t.test('bad configuration: exit 2, every problem listed, no stack trace', async (t) => {
  const r = await runCli(['nginx-sync', '--nodes', '10.0.0.1 http://x:9183, 10.0.0.2:1883 http://u:secretpw@x weight=abc', '--settle', 'later'])
  t.equal(r.code, 2)
  t.match(r.stderr, /invalid configuration:/)
  t.match(r.stderr, /entry 1: "10\.0\.0\.1" is not host:port/)
  t.match(r.stderr, /entry 2: "x": the sidecar URL must not contain credentials/)
  t.match(r.stderr, /weight=abc is not a valid value/)
  t.match(r.stderr, /--settle: "later"/)
  t.match(r.stderr, /no --output/)
  t.notMatch(r.stderr, /secretpw/)
  t.notMatch(r.stderr, /\n\s+at /)
})

t.test('--help lists its own flags with their environment variables', async (t) => {
  const r = await runCli(['nginx-sync', '--help'])
  t.equal(r.code, 0)
  for (const s of ['--nodes-file / SIDECAR_NODES_FILE', '--output / SIDECAR_OUTPUT', '--check-command / SIDECAR_CHECK_COMMAND  (default nginx -t -q)', '--reload-command', '--settle', '--min-reload-interval', '--port / SIDECAR_PORT  (default 9186)']) t.match(r.stdout, s)
})

t.test('--once writes the upstream, checks, reloads and exits 0', async (t) => {
  const dir = workdir(t)
  const a = await startDouble(t)
  const b = await startDouble(t)
  b.startEvacuation()
  const out = join(dir, 'up.conf')
  const ran = join(dir, 'ran')
  const r = await runCli(['nginx-sync', '--once', '--nodes', nodesArg([a, b]), '--availability-path', AVAIL, '--output', out,
    '--check-command', `echo check >> ${ran}`, '--reload-command', `echo reload >> ${ran}`, '--log-level', 'warn'])
  t.equal(r.code, 0, r.stderr + r.stdout)
  t.match(readFileSync(out, 'utf8'), /server 127\.0\.0\.1:1883;\n {4}server 127\.0\.0\.1:1884 down;/)
  t.equal(readFileSync(ran, 'utf8'), 'check\nreload\n')
  const again = await runCli(['nginx-sync', '--once', '--nodes', nodesArg([a, b]), '--availability-path', AVAIL, '--output', out,
    '--check-command', `echo check >> ${ran}`, '--reload-command', `echo reload >> ${ran}`, '--log-level', 'warn'])
  t.equal(again.code, 0)
  t.equal(lines(ran), 2, 'unchanged content: no second check or reload')
})

t.test('a flapping node causes no reload storm; a stable change is applied once; metrics pass promtool', async (t) => {
  const dir = workdir(t)
  const sims = [await startDouble(t), await startDouble(t)]
  const out = join(dir, 'up.conf')
  const reloads = join(dir, 'reloads')
  const sync = await startSidecar(t, ['--nodes', nodesArg(sims), '--availability-path', AVAIL, '--output', out, '--poll-interval', '50ms',
    // a settle time 20 times the flip period: on a loaded machine a timer may fire late, and a flip that
    // comes later than the settle time is a stable change that must be applied
    '--probe-timeout', '200ms', '--settle', '3s', '--min-reload-interval', '1s', '--check-command', 'true', '--reload-command', `echo r >> ${reloads}`], {}, ['nginx-sync'])
  await sync.waitForLog((l) => l.event === 'reloaded', 5000, 'first upstream applied')
  t.equal(lines(reloads), 1, 'first poll applies at once')

  const flapper = sims[1] as EmqxDouble
  const flips = setInterval(() => { if (flapper.available) flapper.startEvacuation(); else flapper.stopProcess() }, 150)
  // ~20 flips, each seen by the 50 ms poll: without debounce this would be ~20 reloads
  await waitFor(() => sync.logs.filter((l) => l.event === 'node' && l.node === '127.0.0.1:1884').length, (n) => n >= 20, { what: '20 observed flips', timeoutMs: 10_000 })
  clearInterval(flips)
  t.equal(lines(reloads), 1, 'no reload while the node flaps faster than the settle time')

  flapper.startEvacuation()
  await sync.waitForLog((l) => l.event === 'reloaded' && Array.isArray(l.down) && l.down.includes('127.0.0.1:1884'), 15_000, 'reload with the node down')
  t.equal(lines(reloads), 2)
  t.match(readFileSync(out, 'utf8'), /127\.0\.0\.1:1884 down;/)

  const live = await request(`${sync.url}/livez`)
  t.equal(live.statusCode, 200)
  await live.body.dump()
  const status = await (await request(`${sync.url}/status`)).body.json() as { nodes: Array<{ address: string, inUpstream: boolean }> }
  t.same(status.nodes.map((n) => [n.address, n.inUpstream]), [['127.0.0.1:1883', true], ['127.0.0.1:1884', false]])

  const metrics = await (await request(`${sync.url}/metrics`)).body.text()
  t.match(metrics, /emqx_lb_sidecar_nginx_sync_node_in_upstream\{node="127\.0\.0\.1:1884"\} 0/)
  t.match(metrics, /emqx_lb_sidecar_nginx_sync_updates_total\{result="ok"\} 2/)
  t.match(metrics, /emqx_lb_sidecar_nginx_sync_updates_total\{result="check_failed"\} 0/)
  t.match(metrics, /emqx_lb_sidecar_nginx_sync_failsafe_entered_total 0/)
  await t.test('its /metrics passes promtool check metrics', async (t) => {
    const promtool = requireBinary(t, 'promtool', 'prometheus')
    if (promtool === undefined) return
    const r = spawnSync(promtool, ['check', 'metrics'], { input: metrics, encoding: 'utf8' })
    t.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`)
    t.equal((r.stdout + r.stderr).trim(), '', 'no lint findings')
  })
})

t.test('nginx -t failing: the old file is restored, nothing reloads, the error is logged and counted', async (t) => {
  const dir = workdir(t)
  const sims = [await startDouble(t), await startDouble(t)]
  const out = join(dir, 'up.conf')
  const reloads = join(dir, 'reloads')
  const broken = join(dir, 'broken')
  // the check fails while the marker exists, like an nginx.conf someone broke by hand
  const sync = await startSidecar(t, ['--nodes', nodesArg(sims), '--availability-path', AVAIL, '--output', out, '--poll-interval', '50ms',
    '--probe-timeout', '200ms', '--settle', '100ms', '--min-reload-interval', '300ms',
    '--check-command', `if [ -e ${broken} ]; then echo "nginx: [emerg] bad" >&2; exit 1; fi`, '--reload-command', `echo r >> ${reloads}`], {}, ['nginx-sync'])
  // every node in first: on a loaded machine the first probe of a node can time out (down), and a donor flip on a
  // node already down changes nothing, so no check would run
  await sync.waitForLog((l) => l.event === 'reloaded' && Array.isArray(l.down) && l.down.length === 0, 10_000, 'first upstream applied, every node in')
  const reloadsBefore = lines(reloads)
  const before = readFileSync(out, 'utf8')
  writeFileSync(broken, '')
  ;(sims[0] as EmqxDouble).becomeDonor()
  const err = await sync.waitForLog((l) => l.event === 'check_failed', 5000, 'check failure logged')
  t.equal(err.level, 'error')
  t.equal(err.code, 'SIDECAR_ERR_NGINX_CHECK_FAILED')
  t.match(err.detail, /nginx: \[emerg\] bad/)
  t.equal(readFileSync(out, 'utf8'), before, 'previous file restored')
  t.equal(lines(reloads), reloadsBefore, 'no reload after a failed check')
  const metrics = await waitFor(async () => await (await request(`${sync.url}/metrics`)).body.text(), (m) => /updates_total\{result="check_failed"\} [1-9]/.test(m), { what: 'check_failed counted' })
  t.match(metrics, /emqx_lb_sidecar_nginx_sync_pending_change 1/)
  rmSync(broken)
  await sync.waitForLog((l) => l.event === 'reloaded' && Array.isArray(l.down) && l.down.includes('127.0.0.1:1883'), 5000, 'retry succeeds once nginx -t passes')
  t.match(readFileSync(out, 'utf8'), /127\.0\.0\.1:1883 down;/)

  // SIGTERM: a clean exit that leaves the file for nginx as it is
  const kept = readFileSync(out, 'utf8')
  sync.child.kill('SIGTERM')
  t.equal(await sync.exited, 0)
  t.equal(readFileSync(out, 'utf8'), kept)
})

t.test('--njs-state: the state is rewritten every poll, drains show in it, and no check or reload command ever runs', async (t) => {
  const dir = workdir(t)
  const sims = [await startDouble(t), await startDouble(t)]
  const stateDir = join(dir, 'run')
  mkdirSync(stateDir)
  const state = join(stateDir, 'state.json')
  const ran = join(dir, 'ran')
  const sync = await startSidecar(t, ['--nodes', `${nodesArg(sims)} weight=4`, '--availability-path', AVAIL, '--njs-state', state, '--poll-interval', '50ms',
    '--probe-timeout', '200ms', '--check-command', `echo check >> ${ran}`, '--reload-command', `echo reload >> ${ran}`], {}, ['nginx-sync'])
  interface State { writtenAt: number, staleAfterMs: number, balance: string, failsafe: boolean, nodes: Array<{ address: string, weight: number, available: boolean }> }
  const read = (): State => JSON.parse(readFileSync(state, 'utf8')) as State
  const first = await waitFor(read, (s) => s.nodes.every((n) => n.available), { what: 'state with both nodes available' })
  t.same(first.nodes, [{ address: '127.0.0.1:1883', weight: 1, available: true }, { address: '127.0.0.1:1884', weight: 4, available: true }])
  t.match(first, { balance: 'random', failsafe: false, staleAfterMs: 3 * (50 + 200) })
  await waitFor(read, (s) => s.writtenAt > first.writtenAt, { what: 'the unchanged state written again by the next poll' })

  ;(sims[1] as EmqxDouble).becomeDonor()
  const drained = await waitFor(read, (s) => s.nodes[1]?.available === false, { what: 'the donor unavailable in the state' })
  t.equal(drained.nodes[0]?.available, true)
  await sync.waitForLog((l) => l.event === 'state_written' && Array.isArray(l.down) && l.down.includes('127.0.0.1:1884'), 5000, 'change logged')
  ;(sims[0] as EmqxDouble).becomeDonor()
  await waitFor(read, (s) => s.failsafe && s.nodes.every((n) => !n.available), { what: 'every node unavailable, flagged fail-safe' })
  await sync.waitForLog((l) => l.event === 'failsafe', 5000, 'fail-safe warning')

  // the directory disappears: the error is logged once, counted, and shown as a pending change
  rmSync(stateDir, { recursive: true })
  const err = await sync.waitForLog((l) => l.event === 'state_write_failed', 5000, 'write failure logged')
  t.equal(err.code, 'SIDECAR_ERR_NGINX_WRITE_FAILED')
  const failing = await waitFor(async () => await (await request(`${sync.url}/metrics`)).body.text(), (m) => /state_write_failures_total [2-9]/.test(m), { what: 'failures counted' })
  t.match(failing, /emqx_lb_sidecar_nginx_sync_pending_change 1/)
  t.equal(sync.logs.filter((l) => l.event === 'state_write_failed').length, 1, 'logged once per failure streak, not once per poll')
  mkdirSync(stateDir)
  await waitFor(() => existsSync(state), (e) => e, { what: 'state written again once the directory is back' })
  const ok = await waitFor(async () => await (await request(`${sync.url}/metrics`)).body.text(), (m) => /pending_change 0/.test(m), { what: 'pending cleared' })
  const written = Number(/^emqx_lb_sidecar_nginx_sync_state_written_timestamp_seconds (\S+)$/m.exec(ok)?.[1])
  t.ok(Math.abs(written - Date.now() / 1000) < 5, `state_written_timestamp_seconds is recent (${written})`)
  t.match(ok, /emqx_lb_sidecar_nginx_sync_updates_total\{result="ok"\} 0/, 'no upstream update in njs mode')
  t.notOk(existsSync(ran), 'neither the check nor the reload command ever ran')
  const status = await (await request(`${sync.url}/status`)).body.json() as Record<string, unknown>
  t.equal(status.njsState, state)
  t.notOk('output' in status)
})
