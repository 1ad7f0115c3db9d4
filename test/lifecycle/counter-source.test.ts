import t from 'tap'
import { request } from 'undici'
import type { CounterView } from '../../src/http/views/status-types.js'
import { startDouble, type SimProfile } from '../support/emqx-double.js'
import { runCli, startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

// The built sidecar says which source EMQX's CONNECT counter is read from and why not the others: in /status
// (drain_evidence.counter), once in the log (event connect_counter_source), and --check-config says what will be tried.

const KEY = ['--emqx-username', 'admin']
const SECRET = { SIDECAR_EMQX_PASSWORD: 'public' }

t.test('--check-config: the sources this configuration will try, and which it cannot', async (t) => {
  const line = async (args: string[], env: Record<string, string> = {}): Promise<string | undefined> => {
    const r = await runCli(['--check-config', ...args], env)
    t.equal(r.code, 0)
    t.notMatch(r.stdout, /public/, 'no secret')
    return r.stdout.split('\n').find((l) => l.startsWith('CONNECT counter'))
  }
  const [none, key, v4, v4Key] = await Promise.all([
    line([]), line(KEY, SECRET), line(['--emqx-api-version', 'v4']), line(['--emqx-api-version', 'v4', ...KEY], SECRET),
  ])
  t.equal(none, 'CONNECT counter (arrival evidence): will try prometheus on EMQX 5.x (no credentials: /api/v5/metrics needs an API key); ' +
    'none on EMQX 4.4 (EMQX 4.4 has no CONNECT counter without credentials (/api/v4/nodes/<node>/metrics needs an AppID))')
  t.equal(key, 'CONNECT counter (arrival evidence): will try prometheus, then metrics_api on EMQX 5.x; v4_metrics on EMQX 4.4')
  t.equal(v4, 'CONNECT counter (arrival evidence): none: EMQX 4.4 has no CONNECT counter without credentials ' +
    '(/api/v4/nodes/<node>/metrics needs an AppID)')
  t.equal(v4Key, 'CONNECT counter (arrival evidence): will try v4_metrics')
})

const cases: Array<[string, SimProfile, boolean, RegExp, string | null, 'info' | 'warn']> = [
  ['5.x without credentials', 'v5', false, /^prometheus \(no credentials: \/api\/v5\/metrics needs an API key\)$/, 'prometheus', 'info'],
  ['6.3 without credentials: the stats need the key', 'v6.3', false,
    /^none: prometheus stats answered 401: prometheus\.enable_basic_auth is on .*; no credentials: \/api\/v5\/metrics needs an API key$/, null, 'warn'],
  ['6.3 with the key', 'v6.3', true, /^prometheus$/, 'prometheus', 'info'],
  ['e5.0.4 with the key: no emqx_client_connect', 'v5.0.4', true,
    /^metrics_api \(prometheus stats answered without this node's emqx_client_connect \(it first appears at EMQX e5\.2\.0\)\)$/, 'metrics_api', 'info'],
  ['4.4.24 without credentials', 'v4.4.24', false, /^none: EMQX 4\.4 has no CONNECT counter without credentials/, null, 'warn'],
]

for (const [what, profile, withKey, summary, source, level] of cases) {
  t.test(`${what}: /status and one log line`, async (t) => {
    const sim = await startDouble(t, { profile })
    const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--connect-baseline-interval', '300ms',
      ...(withKey ? KEY : [])], withKey ? SECRET : {})
    const counter = async (): Promise<{ counter: CounterView | null, last_read: string | null }> =>
      ((await (await request(`${sc.url}/status`)).body.json()) as { drain_evidence: { counter: CounterView | null, last_read: string | null } }).drain_evidence
    const first = await waitFor(counter, (e) => e.counter?.settled === true, { what: 'the counter source settled', timeoutMs: 10_000 })
    t.match(first.counter?.summary, summary)
    t.equal(first.counter?.source, source)
    t.equal(first.counter?.sources.length, 3, 'every source with its standing')
    t.ok(first.counter?.sources.every((s) => (s.state === 'in_use') === (s.why === null)), 'a why for every source not in use')
    // three more readings (300 ms apart) and still the one line
    let reads = 0
    let last = first.last_read
    await waitFor(counter, (e) => { if (e.last_read !== last) { last = e.last_read; reads++ } return reads >= 3 },
      { what: 'three more readings', timeoutMs: 10_000, intervalMs: 50 })
    const lines = sc.logs.filter((l) => l.event === 'connect_counter_source')
    t.equal(lines.length, 1, 'logged once')
    t.equal(lines[0]?.level, level)
    t.equal(lines[0]?.source, source)
    t.match(lines[0]?.msg, `CONNECT counter (arrival evidence): ${first.counter?.summary ?? '?'}`)
    t.notMatch(JSON.stringify(sc.logs) + JSON.stringify(first), /public|YWRtaW46cHVibGlj/, 'no secret')
  })
}
