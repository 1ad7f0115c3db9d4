import { readFileSync } from 'node:fs'
import t from 'tap'
import { request } from 'undici'
import { ErrorCodes } from '../src/errors.js'
import { runCli, startSidecar } from './support/sidecar-proc.js'
import { startDouble } from './support/emqx-double.js'
import { waitFor } from './support/wait.js'

async function answer (url: string, method: 'GET' | 'HEAD' | 'OPTIONS'): Promise<number> {
  const res = await request(url, { method })
  await res.body.dump()
  return res.statusCode
}

t.test('--version prints the package version', async (t) => {
  const r = await runCli(['--version'])
  t.equal(r.code, 0)
  t.match(r.stdout, /^\d+\.\d+\.\d+\n$/)
})

t.test('bad configuration: exit 2, one message listing every problem, no stack trace', async (t) => {
  const r = await runCli(['--port', 'x', '--poll-interval', 'soon'], { SIDECAR_EMQX_API_VERSION: 'v9', SIDECAR_EMQX_PASSWORD: 'hunter2' })
  t.equal(r.code, 2)
  const first = `emqx-lb-sidecar: ${ErrorCodes.CONFIG_INVALID}: invalid configuration:\n`
  t.ok(r.stderr.startsWith(first), 'the code, then the message')
  t.ok(readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8').includes(first), 'docs/errors.md shows that line')
  t.match(r.stderr, /--port: "x"/)
  t.match(r.stderr, /--poll-interval: "soon"/)
  t.match(r.stderr, /SIDECAR_EMQX_API_VERSION: "v9"/)
  t.match(r.stderr, /no --emqx-username/)
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
  t.notMatch(r.stderr, /hunter2/, 'no secret')
  t.equal(r.stdout, '')
})

t.test('unknown command: exit 2', async (t) => {
  const r = await runCli(['frobnicate'])
  t.equal(r.code, 2)
  t.match(r.stderr, /unknown command "frobnicate"/)
  t.match(r.stderr, /^ {2}status /m, 'with the list of commands')
})

t.test('a duration without a unit: exit 2 naming the option and the rule (issue #28 item 3)', async (t) => {
  const r = await runCli(['--check-config', '--poll-interval', '60'])
  t.equal(r.code, 2)
  t.equal(r.stdout, '', 'no "configuration OK"')
  t.equal(r.stderr, `emqx-lb-sidecar: ${ErrorCodes.CONFIG_INVALID}: invalid configuration:\n` +
    '  - --poll-interval: "60" has no unit: write 60s or 60ms (every duration needs a unit)\n')
  const env = await runCli(['status', '--check-config'], { SIDECAR_TIMEOUT: '3' })
  t.equal(env.code, 2, 'the same rule for another command and a variable')
  t.match(env.stderr, /SIDECAR_TIMEOUT: "3" has no unit/)
})

t.test('--check-config prints the effective config with secrets redacted', async (t) => {
  const r = await runCli(['--check-config', '--emqx-username', 'key'], { SIDECAR_EMQX_PASSWORD: 'hunter2', SIDECAR_TYPO: '1' })
  t.equal(r.code, 0)
  t.match(r.stdout, /configuration OK/)
  t.match(r.stdout, /"password": "\[REDACTED\]"/)
  t.notMatch(r.stdout + r.stderr, /hunter2/)
  t.match(r.stderr, /unknown environment variable SIDECAR_TYPO/)
})

t.test('a donor flip reaches GET, HEAD and OPTIONS within one poll interval (+100 ms), and back', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const interval = 500
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', `${interval}ms`, '--shutdown-delay', '0s'])
  const probe = `${sc.url}/availability`
  await waitFor(() => answer(probe, 'GET'), (s) => s === 200, { what: 'first 200', timeoutMs: 5000 })
  for (const [flip, want] of [[() => sim.becomeDonor(), 503], [() => sim.stopProcess(), 200]] as const) {
    const flippedAt = performance.now()
    flip()
    const codes = await waitFor(async () => [await answer(probe, 'GET'), await answer(probe, 'HEAD'), await answer(`${sc.url}/`, 'OPTIONS')],
      (codes) => codes.every((c) => c === want), { what: `all methods ${want}`, timeoutMs: interval + 100, intervalMs: 5 })
    const took = Math.round(performance.now() - flippedAt)
    t.same(codes, [want, want, want], `GET, HEAD and OPTIONS became ${want} ${took}ms after the flip (interval ${interval}ms)`)
  }
})

t.test('SIGTERM: 503 stopping at once, answers during the delay, then exit 0', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--shutdown-delay', '1s'])
  await waitFor(() => answer(`${sc.url}/readyz`, 'GET'), (s) => s === 200, { what: 'ready', timeoutMs: 5000 })
  sc.child.kill('SIGTERM')
  await sc.waitForLog((l) => /shutting down/.test(l.msg), 2000, 'shutdown log')
  const res = await request(`${sc.url}/availability`)
  t.equal(res.statusCode, 503)
  t.match(await res.body.json(), { state: 'stopping', reason: 'shutdown' })
  const live = await request(`${sc.url}/livez`)
  await live.body.dump()
  t.equal(live.statusCode, 200, 'still alive while stopping')
  t.equal(await sc.exited, 0, 'clean exit')
  t.ok(sc.logs.some((l) => l.msg === 'stopped'))
})

t.test('EMQX down at start: 503 starting, then down, never a crash', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  await sim.setFault('hang')
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--emqx-timeout', '100ms', '--shutdown-delay', '0s'])
  const first = await request(`${sc.url}/availability`)
  t.equal(first.statusCode, 503)
  t.match(await first.body.json(), { state: /starting|down/ })
  await waitFor(async () => (await (await request(`${sc.url}/status`)).body.json()) as { state: string }, (s) => s.state === 'down', { what: 'down', timeoutMs: 3000 })
  await sim.setFault('none')
  await waitFor(() => answer(`${sc.url}/availability`, 'GET'), (s) => s === 200, { what: 'recovery', timeoutMs: 3000 })
  t.equal(sc.child.exitCode, null, 'still running')
})

t.test('checkers that hang up early do not disturb the sidecar', async (t) => {
  const { connect } = await import('node:net')
  const sim = await startDouble(t, { profile: 'v5' })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--shutdown-delay', '0s'])
  await waitFor(() => answer(`${sc.url}/availability`, 'GET'), (s) => s === 200, { what: 'ready', timeoutMs: 5000 })
  const rude = Array.from({ length: 50 }, async (_, i) => await new Promise<void>((resolve) => {
    const sock = connect(sc.port, '127.0.0.1', () => {
      // half a request, a whole one, or a whole one reset before the answer is read
      sock.write(i % 3 === 0 ? 'GET /availab' : 'GET /availability HTTP/1.1\r\nHost: x\r\n\r\n')
      if (i % 3 === 2) sock.resetAndDestroy(); else sock.destroy()
      resolve()
    })
    sock.on('error', () => resolve())
  }))
  await Promise.all(rude)
  t.equal(await answer(`${sc.url}/availability`, 'GET'), 200, 'still answering correctly')
  t.equal(sc.child.exitCode, null, 'still running')
  t.notOk(sc.logs.some((l) => l.level === 'error' || l.level === 'fatal'), 'nothing logged as an error')
})
