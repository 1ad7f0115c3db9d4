import t, { type Test } from 'tap'
import { chmodSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { startDouble, type SimFault } from '../support/emqx-double.js'
import { runCli, startSidecar, type SidecarProcess } from '../support/sidecar-proc.js'
import { selfSignedCert } from '../support/tls.js'
import { waitFor } from '../support/wait.js'

/** Secret hygiene (docs/failure-modes.md, "Secrets"): the EMQX API secret never shows, anywhere. */
const USER = 'sidecar-key'
const SECRET = 'Sup3r-s3cret-API-value'
const BASIC = `Basic ${Buffer.from(`${USER}:${SECRET}`).toString('base64')}`
const LEAKS = [SECRET, BASIC, Buffer.from(`${USER}:${SECRET}`).toString('base64')]

function tmp (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-secret-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const leaked = (text: string): string[] => LEAKS.filter((l) => text.includes(l))

async function everything (sc: SidecarProcess): Promise<string> {
  const status = await (await request(`${sc.url}/status`)).body.text()
  const metrics = await (await request(`${sc.url}/metrics`)).body.text()
  return [JSON.stringify(sc.logs), sc.stderr(), status, metrics].join('\n')
}

t.test('through auth failures, timeouts, resets, redirects, garbage and refusals: no secret in logs (trace), /status or /metrics', async (t) => {
  const other = await startDouble(t)
  const sim = await startDouble(t, { profile: 'v5.3', username: USER, password: SECRET, redirectTo: `${other.url}/steal` })
  const file = join(tmp(t), 'password')
  writeFileSync(file, `${SECRET}\n`)
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--emqx-username', USER, '--poll-interval', '50ms', '--emqx-timeout', '150ms', '--failure-threshold', '1', '--log-level', 'trace'],
    { SIDECAR_EMQX_PASSWORD_FILE: file })
  await sc.waitForLog((l) => l.msg.startsWith('node is up'), 5000, 'up')
  const faults: Array<[SimFault, string]> = [['auth_reject', 'emqx_auth'], ['forbidden', 'emqx_auth'], ['hang', 'emqx_timeout'], ['reset', 'emqx_reset'], ['redirect', 'emqx_redirect'], ['garbage', 'emqx_bad_body'], ['refuse', 'emqx_refused']]
  for (const [fault, reason] of faults) {
    await sim.setFault(fault)
    await waitFor(async () => (await (await request(`${sc.url}/status`)).body.json() as { reason: string }).reason, (r) => r === reason, { timeoutMs: 5000, what: `${fault} -> ${reason}` })
    await sim.setFault('none')
    await waitFor(async () => (await (await request(`${sc.url}/status`)).body.json() as { state: string }).state, (s) => s === 'up', { timeoutMs: 5000, what: `up after ${fault}` })
  }
  t.same(leaked(await everything(sc)), [], 'no trace of the secret or its Basic header')
  t.ok(sc.logs.some((l) => l.level === 'trace' || l.level === 'debug' || l.level === 'info'), 'logs were captured at every level')
  t.ok(sim.authHeaders.includes(BASIC), 'the credentials were sent to EMQX itself (sanity)')
  t.equal(other.totalRequests, 0, 'no request, and so no credentials, reached the redirect target')
})

t.test('TLS failure (self-signed, no CA): no secret anywhere, nothing sent', async (t) => {
  const cert = selfSignedCert(t)
  if (cert === undefined) return
  const sim = await startDouble(t, { profile: 'v5.3', username: USER, password: SECRET, tls: cert })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--emqx-username', USER, '--poll-interval', '50ms', '--log-level', 'trace'], { SIDECAR_EMQX_PASSWORD: SECRET })
  await sc.waitForLog((l) => l.reason === 'emqx_tls', 5000, 'down for tls')
  t.same(leaked(await everything(sc)), [])
  t.equal(sim.totalRequests, 0, 'no request over an unverified connection')
})

t.test('--check-config and configuration errors never print the secret', async (t) => {
  const file = join(tmp(t), 'password')
  writeFileSync(file, SECRET)
  for (const [what, args, env] of [
    ['env', ['--check-config', '--emqx-username', USER], { SIDECAR_EMQX_PASSWORD: SECRET }],
    ['file', ['--check-config', '--emqx-username', USER], { SIDECAR_EMQX_PASSWORD_FILE: file }],
    ['flag', ['--check-config', '--emqx-username', USER, '--emqx-password', SECRET], {}],
    ['flag, trace level', ['--check-config', '--emqx-username', USER, `--emqx-password=${SECRET}`, '--log-level', 'trace'], {}],
  ] as Array<[string, string[], Record<string, string>]>) {
    const r = await runCli(args, env)
    t.equal(r.code, 0, `${what}: configuration OK`)
    t.match(r.stdout, /"password": "\[REDACTED\]"/, `${what}: redacted`)
    t.same(leaked(r.stdout + r.stderr), [], `${what}: no secret`)
  }
  const bad = await runCli(['--emqx-password', SECRET, '--emqx-password-file', file, '--emqx-url', `http://${USER}:${SECRET}@127.0.0.1:18083`, '--port', 'x'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /must not contain credentials/)
  t.match(bad.stderr, /both set for emqx-password/)
  t.same(leaked(bad.stdout + bad.stderr), [], 'errors name settings, never secret values (URL credentials included)')
})

t.test('_FILE secrets: read once at start; unreadable or empty files are clear errors', async (t) => {
  const dir = tmp(t)
  const file = join(dir, 'password')
  writeFileSync(file, `${SECRET}\n`)
  let reads = 0
  const { config } = loadServeConfig(['--emqx-username', USER], { SIDECAR_EMQX_PASSWORD_FILE: file }, (p) => { reads++; return `${p === file ? SECRET : ''}\n` })
  t.equal(reads, 1, 'read exactly once')
  t.equal(config.emqx.password?.reveal(), SECRET, 'trailing newline removed')

  const sim = await startDouble(t, { profile: 'v5.3', username: USER, password: SECRET })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--emqx-username', USER, '--poll-interval', '50ms'], { SIDECAR_EMQX_PASSWORD_FILE: file })
  await sc.waitForLog((l) => l.msg.startsWith('node is up'), 5000, 'up')
  writeFileSync(file, 'rotated-value')
  unlinkSync(file)
  const seen = sim.authHeaders.length
  await waitFor(() => sim.authHeaders.length, (n) => n >= seen + 5, { what: '5 more EMQX requests' })
  t.same([...new Set(sim.authHeaders.slice(seen))], [BASIC], 'the secret read at start keeps being used after the file changed and vanished')
  t.equal((await (await request(`${sc.url}/status`)).body.json() as { state: string }).state, 'up')

  const missing = await runCli(['--emqx-username', USER], { SIDECAR_EMQX_PASSWORD_FILE: join(dir, 'nope') })
  t.equal(missing.code, 2)
  t.match(missing.stderr, /SIDECAR_EMQX_PASSWORD_FILE: cannot read .*nope \(ENOENT\)/)
  const directory = await runCli(['--emqx-username', USER, '--emqx-password-file', dir])
  t.match(directory.stderr, /--emqx-password-file: cannot read .* \(EISDIR\)/)
  const empty = join(dir, 'empty')
  writeFileSync(empty, '')
  t.match((await runCli(['--emqx-username', USER], { SIDECAR_EMQX_PASSWORD_FILE: empty })).stderr, /is empty/)
  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked')
    writeFileSync(locked, SECRET)
    chmodSync(locked, 0o000)
    t.match((await runCli(['--emqx-username', USER], { SIDECAR_EMQX_PASSWORD_FILE: locked })).stderr, /cannot read .* \(EACCES\)/)
  }
  for (const r of [missing, directory]) t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
})

t.test('the admin token never shows: refused and accepted admin calls at trace level, /status, /metrics, --check-config', async (t) => {
  const TOKEN = 'Adm1n-T0ken-never-in-a-log'
  const tokenLeaks = (text: string): boolean => text.includes(TOKEN) || text.includes(Buffer.from(TOKEN).toString('base64'))
  const sim = await startDouble(t, { profile: 'v5.3', username: USER, password: SECRET })
  const file = join(tmp(t), 'token')
  writeFileSync(file, `${TOKEN}\n`)
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--emqx-username', USER, '--poll-interval', '50ms', '--log-level', 'trace'],
    { SIDECAR_EMQX_PASSWORD: SECRET, SIDECAR_ADMIN_TOKEN_FILE: file })
  await sc.waitForLog((l) => l.msg.startsWith('node is up'), 5000, 'up')
  const call = async (path: string, authorization?: string): Promise<number> => {
    const res = await request(`${sc.url}${path}`, { method: 'POST', headers: authorization !== undefined ? { authorization } : {} })
    await res.body.dump()
    return res.statusCode
  }
  for (const wrong of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${Buffer.from(TOKEN).toString('base64')}`, TOKEN, undefined]) {
    t.equal(await call('/admin/drain', wrong), 401, 'a wrong token is refused')
  }
  t.equal(await call(`/admin/drain?token=${TOKEN}`), 401, 'a token in the query string is not a token')
  t.equal(await call('/admin/drain', `Bearer ${TOKEN}`), 200, 'the right token drains')
  t.equal(await call('/admin/undrain', `Bearer ${TOKEN}`), 200, 'and undrains')
  t.notOk(tokenLeaks(await everything(sc)), 'the admin token appears in no log line (trace level), /status or /metrics')
  t.same(leaked(await everything(sc)), [], 'nor the EMQX secret')
  const check = await runCli(['--check-config'], { SIDECAR_ADMIN_TOKEN: TOKEN })
  t.equal(check.code, 0)
  t.notOk(tokenLeaks(check.stdout + check.stderr), '--check-config redacts it')
  const short = await runCli(['--check-config'], { SIDECAR_ADMIN_TOKEN: 'short-Tok3n' })
  t.equal(short.code, 2)
  t.notMatch(short.stderr, /short-Tok3n/, 'a rejected token is not echoed either')
})
