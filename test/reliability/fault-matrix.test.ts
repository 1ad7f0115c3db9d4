import t, { type Test } from 'tap'
import { request } from 'undici'
import { startDouble, type EmqxDouble } from '../support/emqx-double.js'
import { checkCount, failureCount, scrape } from '../support/metrics-text.js'
import { formatStats, ProbeLoad, type ProbeStats } from '../support/probe-load.js'
import { startSidecar, type LogLine, type SidecarProcess } from '../support/sidecar-proc.js'
import { selfSignedCert, type TestCert } from '../support/tls.js'
import { waitFor } from '../support/wait.js'
import { emqxTimeoutFor, FAULT_MATRIX, MATRIX_SETTINGS, type FaultScenario } from './fault-matrix.js'
import { FAILURE_REASONS, LogCodes, LogEvents } from '../../src/errors.js'

/**
 * Runs every row of the fault matrix against the built sidecar (a real process) and the EMQX double,
 * and checks each column: the answer, when it changes, what is logged (once), the metric, recovery,
 * and that probes kept being answered quickly meanwhile.
 */
const USER = 'matrix-key'
const SECRET = 'mAtr1x-S3cret-never-logged'
const BASIC = Buffer.from(`${USER}:${SECRET}`).toString('base64')
// Sanity bounds, not speed targets (the real figures are printed; the issue's target of 5 ms belongs
// to `npm run bench`). If probes waited on EMQX, the median probe in the timeout rows would take about
// --emqx-timeout (250ms); the bounds are loose because a machine running test files in parallel
// starves processes for tens of milliseconds at a time (measured: load 8 on 2 CPUs).
const PROBE_P50_BOUND_MS = 100
const PROBE_P99_BOUND_MS = 1000
const EXTRA_FAILING_CHECKS = 4
const { failureThreshold: THRESHOLD } = MATRIX_SETTINGS

const figures: Array<{ id: string, stats: ProbeStats, changedAfterMs?: number }> = []

interface Rig { sc: SidecarProcess, sim?: EmqxDouble, other: EmqxDouble }

async function rig (t: Test, s: FaultScenario, cert: TestCert | undefined): Promise<Rig> {
  const other = await startDouble(t)
  const tls = s.upstream === 'https_with_ca' || s.upstream === 'https_without_ca' || s.upstream === 'http_url_to_tls'
  const sim = s.upstream === 'unresolvable'
    ? undefined
    : await startDouble(t, { profile: 'v5.3', username: USER, password: SECRET, redirectTo: `${other.url}/elsewhere`, ...(tls && cert !== undefined ? { tls: cert } : {}) })
  const url = sim === undefined
    ? 'http://emqx.invalid:18083'
    : s.upstream === 'http_url_to_tls' ? sim.url.replace(/^https:/, 'http:') : s.upstream === 'https_url_to_plain' ? sim.url.replace(/^http:/, 'https:') : sim.url
  const sc = await startSidecar(t, [
    '--emqx-url', url, '--poll-interval', MATRIX_SETTINGS.pollInterval, '--emqx-timeout', emqxTimeoutFor(s),
    '--failure-threshold', String(THRESHOLD), '--log-level', 'trace', '--emqx-username', USER,
    ...(s.upstream === 'https_with_ca' && cert !== undefined ? ['--emqx-ca-file', cert.certFile] : []),
  ], { SIDECAR_EMQX_PASSWORD: SECRET })
  return { sc, other, ...(sim !== undefined ? { sim } : {}) }
}

const after = (sc: SidecarProcess, mark: number, test: (l: LogLine) => boolean) => (l: LogLine) => sc.logs.indexOf(l) >= mark && test(l)
const msgStarts = (prefix: string) => (l: LogLine) => l.msg.startsWith(prefix)
const problems = (lines: readonly LogLine[]): LogLine[] => lines.filter((l) => l.level === 'warn' || l.level === 'error' || l.level === 'fatal')

async function probeNow (sc: SidecarProcess): Promise<number> {
  const res = await request(`${sc.url}/readyz`)
  await res.body.dump()
  return res.statusCode
}

async function runFailing (t: Test, s: FaultScenario, { sc, sim }: Rig): Promise<void> {
  const failure = s.failure
  if (failure === undefined) return
  const startsFailing = sim === undefined || s.simFault === undefined
  const fromState = startsFailing ? 'starting' : 'up'
  if (!startsFailing) await sc.waitForLog(msgStarts('node is up'), 5000, 'node is up before the fault')
  const mark = startsFailing ? 0 : sc.logs.length
  const before = startsFailing ? new Map<string, number>() : await scrape(sc.url)
  const load = new ProbeLoad(sc.url, { pauseMs: 10 })
  if (!startsFailing) {
    // inject between two checks, not during one: a check in flight when EMQX stops may legitimately
    // fail otherwise (a reset, or a timeout on a stalled machine) and log a second reason
    const done = checkCount(await scrape(sc.url), 'available')
    await waitFor(async () => checkCount(await scrape(sc.url), 'available'), (n) => n > done, { timeoutMs: 5000, intervalMs: 5, what: `${s.id}: a check just completed` })
  }
  const injectedAt = performance.now()
  if (sim !== undefined && s.simFault !== undefined) await sim.setFault(s.simFault, { slowMs: 150, ...(s.path !== undefined ? { path: s.path } : {}) })
  const ended = s.lastsMs !== undefined && sim !== undefined
    ? new Promise<void>((resolve) => setTimeout(() => { sim.setFault('none').then(resolve) }, s.lastsMs))
    : undefined

  const downLine = failure.reason === 'auth' ? 'configuration error: ' : 'node is down: '
  await sc.waitForLog(after(sc, mark, msgStarts(downLine)), 10_000, `${s.id}: ${downLine}`)
  const changedAfterMs = startsFailing ? undefined : performance.now() - injectedAt
  t.equal(await probeNow(sc), 503, 'probes answer 503 once the threshold is reached')
  if (ended !== undefined) await ended
  else {
    // keep failing for a few more checks: nothing more may be logged for them
    const target = failureCount(before, failure.reason) + THRESHOLD + EXTRA_FAILING_CHECKS
    await waitFor(async () => failureCount(await scrape(sc.url), failure.reason), (n) => n >= target, { timeoutMs: 15_000, intervalMs: 150, what: `${s.id}: ${target} failed checks` })
  }
  const stats = await load.stop()
  figures.push({ id: s.id, stats, ...(changedAfterMs !== undefined ? { changedAfterMs } : {}) })

  const metrics = await scrape(sc.url)
  const counted = failureCount(metrics, failure.reason) - failureCount(before, failure.reason)
  t.ok(counted >= THRESHOLD + (ended !== undefined ? 0 : EXTRA_FAILING_CHECKS), `emqx_check_failures_total{reason="${failure.reason}"} counted ${counted}`)
  for (const other of FAILURE_REASONS) {
    if (other !== failure.reason) t.equal(failureCount(metrics, other) - failureCount(before, other), 0, `no failure counted as ${other}`)
  }

  const status = await (await request(`${sc.url}/status`)).body.json() as { state: string, reason: string }
  if (ended === undefined) t.match(status, { state: 'down', reason: `emqx_${failure.reason}` }, '/status says down and why')

  // The run of failures that took the node down starts after the last check that succeeded before the state
  // change (the monitor's trace line per check). On a loaded machine a healthy check can time out before the
  // fault is injected (the timeout rows allow 250 ms); that failure is logged on its own, a success follows,
  // and the fault's run is logged again from its first failure: correct, and not this run.
  const since = sc.logs.slice(mark)
  const downAt = since.findIndex(msgStarts(downLine))
  const runStart = since.slice(0, downAt).findLastIndex((l) => l.level === 'trace' && l.msg === 'EMQX check: available') + 1
  const earlier = problems(since.slice(0, runStart))
  t.same(earlier.filter((l) => !l.msg.startsWith('EMQX check failed (')), [], 'before the fault, no state change logged (transient failures at most)')
  if (earlier.length > 0) t.comment(`before the fault: ${earlier.map((l) => `${l.time as string} ${l.msg}`).join('; ')}`)
  const checks = since.slice(runStart, ended !== undefined ? downAt : undefined).filter((l) => l.level === 'trace' && l.msg.startsWith('EMQX check: '))
  t.ok(checks.length >= THRESHOLD && checks.every((l) => l.failure === failure.reason), `from the run's first failure on, every check failed with ${failure.reason} (${checks.length} checks)`)
  // a fault on every path refuses the key on the other keyed reads too (the CONNECT counter, global_status): each once
  const keyLines = problems(since.slice(runStart)).filter((l) => l.code === LogCodes.EMQX_KEY_REFUSED)
  const reads = keyLines.map((l) => String(l.read))
  t.same(reads, [...new Set(reads)], `a refused key logged at most once per read (${reads.join(', ') || 'none in this run'})`)
  if (failure.reason !== 'auth') t.same(reads, [], 'no key refusal for a fault that is not an auth answer')
  // a refused key leaves the CONNECT counter without a source: said once, as it settles (never per poll), and only then
  const sourceLines = problems(since.slice(runStart)).filter((l) => l.event === LogEvents.CONNECT_COUNTER_SOURCE)
  t.ok(sourceLines.length <= (failure.reason === 'auth' ? 1 : 0),
    `the counter source said ${sourceLines.length} time(s): once at most, and only for a refused key (${sourceLines.map((l) => l.msg).join('; ') || 'none'})`)
  const logged = problems(since.slice(runStart)).filter((l) => l.code !== LogCodes.EMQX_KEY_REFUSED && l.event !== LogEvents.CONNECT_COUNTER_SOURCE)
  const prefix = ended !== undefined ? logged.slice(0, 2) : logged
  t.same(prefix.map((l) => [l.level, l.msg]), [
    [failure.level, `EMQX check failed (${failure.detail}); keeping state ${fromState} until ${THRESHOLD} failures in a row`],
    [failure.level, `${downLine}${failure.detail} (${THRESHOLD} failed checks in a row)`],
  ], 'logged exactly twice: the first failure and the state change, never per poll')

  t.same(stats.errors, [], 'every probe was answered')
  t.ok(stats.p50Ms < PROBE_P50_BOUND_MS && stats.p99Ms < PROBE_P99_BOUND_MS, `probe latency during the fault: ${formatStats(stats)}`)

  if (sim === undefined || s.recovery !== undefined) return
  const recoveryMark = sc.logs.length
  if (ended === undefined) await sim.setFault('none')
  await sc.waitForLog(after(sc, ended !== undefined ? mark : recoveryMark, msgStarts('node is up')), 5000, `${s.id}: node is up again`)
  await waitFor(async () => await probeNow(sc), (code) => code === 200, { what: 'probe 200 after recovery' })
  t.equal(sc.logs.slice(mark).filter(msgStarts('node is up')).length, 1, 'recovery logged once')
}

async function runHealthy (t: Test, s: FaultScenario, { sc, sim }: Rig): Promise<void> {
  if (sim === undefined) return
  await sc.waitForLog(msgStarts('node is up'), 5000, 'node is up')
  const mark = sc.logs.length
  const load = new ProbeLoad(sc.url, { pauseMs: 10 })
  if (s.simFault !== undefined) await sim.setFault(s.simFault, { slowMs: 150, ...(s.path !== undefined ? { path: s.path } : {}) })
  const base = checkCount(await scrape(sc.url), 'available')
  await waitFor(async () => checkCount(await scrape(sc.url), 'available'), (n) => n >= base + 5, { timeoutMs: 10_000, intervalMs: 150, what: `${s.id}: 5 more good checks` })
  // the answers are really read: EMQX's drain still comes through, and its end too
  sim.becomeDonor()
  await sc.waitForLog(after(sc, mark, msgStarts('node is draining')), 5000, `${s.id}: drain seen`)
  t.equal(await probeNow(sc), 503, 'drain answered 503')
  sim.stopProcess()
  await sc.waitForLog(after(sc, mark, msgStarts('node is up')), 5000, `${s.id}: up after the drain`)
  const stats = await load.stop()
  figures.push({ id: s.id, stats })
  const metrics = await scrape(sc.url)
  t.equal(checkCount(metrics, 'failure'), 0, 'no check failed')
  t.same(problems(sc.logs), [], 'nothing logged at warn or above')
  t.same(stats.errors, [], 'every probe was answered')
  t.ok(stats.p50Ms < PROBE_P50_BOUND_MS && stats.p99Ms < PROBE_P99_BOUND_MS, `probe latency: ${formatStats(stats)}`)
}

async function assertNoSecret (t: Test, { sc, sim, other }: Rig, s: FaultScenario): Promise<void> {
  const status = await (await request(`${sc.url}/status`)).body.text()
  const metrics = await (await request(`${sc.url}/metrics`)).body.text()
  const everything = [JSON.stringify(sc.logs), sc.stderr(), status, metrics].join('\n')
  t.notOk(everything.includes(SECRET) || everything.includes(BASIC), 'the EMQX secret appears in no log line (trace level), /status or /metrics')
  t.equal(other.totalRequests, 0, 'nothing (and no credentials) reached the redirect target')
  if (s.upstream === 'https_without_ca' || s.upstream === 'http_url_to_tls') t.equal(sim?.totalRequests, 0, 'no request went over the unverified or mismatched connection')
}

t.test('upstream fault matrix (docs/failure-modes.md)', async (t) => {
  const cert = selfSignedCert(t)
  // Two rows at a time keeps the run short without starving the probes of CPU.
  t.jobs = 2
  await Promise.all(FAULT_MATRIX.map(async (row) => {
    if ((row.upstream.startsWith('https_with') || row.upstream === 'http_url_to_tls') && cert === undefined) return
    await t.test(`${row.id}: ${row.fault}`, async (t) => {
      const r = await rig(t, row, cert)
      if (row.failure !== undefined) await runFailing(t, row, r)
      else await runHealthy(t, row, r)
      await assertNoSecret(t, r, row)
    })
  }))
  for (const f of figures) {
    t.comment(`${f.id.padEnd(14)} ${formatStats(f.stats)}${f.changedAfterMs !== undefined ? `; state changed ${Math.round(f.changedAfterMs)}ms after the fault began` : ''}`)
  }
  const all = figures.map((f) => f.stats.p99Ms).sort((a, b) => a - b)
  t.comment(`worst probe p99 over all rows: ${(all.at(-1) ?? 0).toFixed(2)}ms (target in the issue: 5 ms; asserted bounds p50 < ${PROBE_P50_BOUND_MS} ms, p99 < ${PROBE_P99_BOUND_MS} ms)`)
})
