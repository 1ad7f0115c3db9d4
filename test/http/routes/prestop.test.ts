import t, { type Test } from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { startSidecar } from '../../support/sidecar-proc.js'
import { startDouble, type SimProfile } from '../../support/emqx-double.js'
import { waitFor } from '../../support/wait.js'

const TOKEN = 'prestop-test-token-0123456789'

function secretsDir (t: Test): { tokenFile: string, dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-admin-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const tokenFile = join(dir, 'token')
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 })
  return { tokenFile, dir }
}

async function get (url: string, token?: string): Promise<{ status: number, body: string }> {
  const res = await request(url, { method: 'GET', headers: token !== undefined ? { authorization: `Bearer ${token}` } : {}, headersTimeout: 60_000, bodyTimeout: 60_000 })
  return { status: res.statusCode, body: await res.body.text() }
}
async function post (url: string, token?: string): Promise<number> {
  const res = await request(url, { method: 'POST', headers: token !== undefined ? { authorization: `Bearer ${token}` } : {} })
  await res.body.dump()
  return res.statusCode
}

for (const profile of ['v5', 'v4.4'] as SimProfile[]) {
  t.test(`${profile}: the Kubernetes preStop flow: GET /prestop evacuates and blocks, SIGTERM meanwhile waits for it`, async (t) => {
    // timeScale 10: a 10 s wait_health_check, 2 s of eviction and 10 s of takeover take about 2.2 s
    const sim = await startDouble(t, { profile, nodeName: 'emqx@pod-0', connections: 200, timeScale: 10 })
    const { tokenFile } = secretsDir(t)
    const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--shutdown-delay', '200ms',
      '--wait-health-check', profile === 'v5' ? '10s' : '1s', '--evacuation-wait-takeover', '10s', '--evacuation-conn-evict-rate', '100'],
    { SIDECAR_EMQX_USERNAME: 'admin', SIDECAR_EMQX_PASSWORD: 'public', SIDECAR_ADMIN_TOKEN_FILE: tokenFile })
    await waitFor(() => get(`${sc.url}/availability`), (r) => r.status === 200, { what: 'first 200', timeoutMs: 5000 })

    t.equal((await get(`${sc.url}/prestop`)).status, 401, 'no token: refused')
    const started = performance.now()
    const prestop = get(`${sc.url}/prestop`, TOKEN)
    await waitFor(() => get(`${sc.url}/availability`), (r) => r.status === 503, { what: '503 while /prestop waits', timeoutMs: 1000 })
    const status = JSON.parse((await get(`${sc.url}/status`)).body) as { reason: string, overrides: { evacuation: { phase: string } } }
    t.equal(status.reason, 'evacuation')
    // Kubernetes sends the sidecar container SIGTERM while EMQX's preStop hook still waits on it.
    sc.child.kill('SIGTERM')
    const answer = await prestop
    const took = performance.now() - started
    t.equal(answer.status, 200, answer.body)
    t.match(JSON.parse(answer.body), { evacuation: { phase: 'done', node: 'emqx@pod-0', connections: 0, sessions: 0 } })
    t.ok(took > 1000, `/prestop answered after ${Math.round(took)}ms, once EMQX had evacuated`)
    t.equal(await sc.exited, 0, 'then the sidecar exits cleanly')
    // 4.4 before its wait phase refuses wait_health_check, then starts without it
    t.equal(sim.evacuationRequests.length, profile === 'v4.4' ? 2 : 1)
    t.same(sim.evacuationRequests.map((r) => r.node), sim.evacuationRequests.map(() => 'emqx@pod-0'), 'the node name EMQX gave, not one from the request')
    const logs = JSON.stringify(sc.logs) + sc.stderr()
    t.notMatch(logs, TOKEN, 'the token is in no log line')
    t.ok(sc.logs.some((l) => l.event === 'admin' && l.action === 'prestop' && l.result === 'done'), 'audited')
    t.ok(sc.logs.some((l) => l.event === 'evacuation_done'), 'the end is logged')
  })
}

t.test('the deadline path: /prestop answers 504 at --evacuation-timeout, past the HTTP server\'s 10 s idle timeout', async (t) => {
  const sim = await startDouble(t, { profile: 'v5', timeScale: 1 })
  const { tokenFile } = secretsDir(t)
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '200ms', '--shutdown-delay', '0s', '--wait-health-check', '600s', '--evacuation-timeout', '11s', '--evacuation-ack', 'off'],
    { SIDECAR_EMQX_USERNAME: 'admin', SIDECAR_EMQX_PASSWORD: 'public', SIDECAR_ADMIN_TOKEN_FILE: tokenFile })
  await waitFor(() => get(`${sc.url}/availability`), (r) => r.status === 200, { what: 'first 200', timeoutMs: 5000 })
  const started = performance.now()
  const answer = await get(`${sc.url}/prestop`, TOKEN)
  const took = performance.now() - started
  t.equal(answer.status, 504)
  t.match(JSON.parse(answer.body), { evacuation: { phase: 'deadline', emqx_state: 'waiting_health_check' }, state: 'draining' })
  t.ok(took >= 10_900 && took < 20_000, `answered after ${Math.round(took)}ms`)
  t.equal((await get(`${sc.url}/availability`)).status, 503, 'still draining after the deadline')
  t.ok(sc.logs.some((l) => l.event === 'evacuation_deadline'))
})

t.test('separate loopback admin listener, drain switch and drain file through the real process', async (t) => {
  const sim = await startDouble(t, { profile: 'v5' })
  const { tokenFile, dir } = secretsDir(t)
  const drainFile = join(dir, 'drain')
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--shutdown-delay', '0s', '--admin-port', '0'],
    { SIDECAR_ADMIN_TOKEN_FILE: tokenFile, SIDECAR_DRAIN_FILE: drainFile })
  const adminLine = await sc.waitForLog((l) => l.event === 'admin_listening', 5000, 'admin listener')
  t.equal(adminLine.host, '127.0.0.1', 'loopback by default')
  const admin = `http://127.0.0.1:${adminLine.port as number}`
  await waitFor(() => get(`${sc.url}/availability`), (r) => r.status === 200, { what: 'first 200', timeoutMs: 5000 })
  t.equal(await post(`${sc.url}/admin/drain`, TOKEN), 404, 'not on the main port')
  t.equal(await post(`${admin}/admin/drain`, 'nope-nope-nope-nope'), 401)
  t.equal(await post(`${admin}/admin/drain`, TOKEN), 200)
  t.equal((await get(`${sc.url}/availability`)).status, 503)
  t.equal(await post(`${admin}/admin/undrain`, TOKEN), 200)
  t.equal((await get(`${sc.url}/availability`)).status, 200)
  writeFileSync(drainFile, '')
  await waitFor(() => get(`${sc.url}/availability`), (r) => r.status === 503, { what: '503 once the drain file exists', timeoutMs: 2000 })
  t.match(JSON.parse((await get(`${sc.url}/status`)).body), { reason: 'drain_file', overrides: { drain_file: { by: 'file' } } })
  rmSync(drainFile)
  await waitFor(() => get(`${sc.url}/availability`), (r) => r.status === 200, { what: '200 once the drain file is gone', timeoutMs: 2000 })
})
