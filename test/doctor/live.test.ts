import t from 'tap'
import { request } from 'undici'
import { startDouble } from '../support/emqx-double.js'
import { runCli, startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

interface Checker { user_agent?: string, interval_ms?: number | null }

t.test('--sidecar adds each checker the running sidecar has seen whose interval x fall exceeds the wait (SIDECAR_SLOW_CHECKER)', async (t) => {
  const sim = await startDouble(t)
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--shutdown-delay', '0s', '--checker-fall', '3'])
  // a load balancer probing every 200 ms with a user agent of its own
  const probe = async (): Promise<void> => {
    const res = await request(`${sc.url}/availability`, { headers: { 'user-agent': 'doctor-test-lb' } })
    await res.body.dump()
  }
  await waitFor(async () => {
    await probe()
    const res = await request(`${sc.url}/status`)
    return (await res.body.json() as { checkers?: Checker[] }).checkers ?? []
  }, (cs) => cs.some((c) => c.user_agent === 'doctor-test-lb' && typeof c.interval_ms === 'number'),
  { timeoutMs: 15_000, intervalMs: 200, what: 'the sidecar to measure the checker\'s interval' })

  // ~200 ms x fall 3 + poll 100 ms: more than 300 ms, well inside the default 60 s
  const slow = await runCli(['doctor', '--json', '--sidecar', sc.url, '--wait-health-check', '300ms', '--poll-interval', '100ms'])
  t.equal(slow.code, 1, slow.stderr)
  const { findings } = JSON.parse(slow.stdout) as { findings: Array<{ code: string, file: string, line: number, message: string }> }
  const mine = findings.filter((f) => f.message.includes('doctor-test-lb'))
  t.equal(mine.length, 1, slow.stdout)
  t.equal(mine[0]?.code, 'SIDECAR_SLOW_CHECKER')
  t.equal(mine[0]?.file, `${sc.url}/status`)
  t.equal(mine[0]?.line, 0)

  const fine = await runCli(['doctor', '--sidecar', sc.url])
  t.equal(fine.code, 0, fine.stdout + fine.stderr)
  t.match(fine.stdout, /no findings in 1 file/)
})

t.test('--sidecar that is not a sidecar, or does not answer: one line, exit 2', async (t) => {
  const sim = await startDouble(t)
  const notSidecar = await runCli(['doctor', '--sidecar', sim.url])
  t.equal(notSidecar.code, 2)
  t.match(notSidecar.stderr, /^emqx-lb-sidecar doctor: http:\/\/127\.0\.0\.1:\d+\/status: (answered \d+|not a sidecar)/)
  t.equal(notSidecar.stderr.trim().split('\n').length, 1)
  const gone = await runCli(['doctor', '--sidecar', 'http://127.0.0.1:1', '--timeout', '1s'])
  t.equal(gone.code, 2)
  t.match(gone.stderr, /cannot read \(ECONNREFUSED\)/)
})
