import t from 'tap'
import { formatStatus } from '../../src/commands/status-format.js'
import type { DrainEvidenceView, ReceivedStatus } from '../../src/http/views/status-types.js'

// The arrival evidence (EMQX's CONNECT counter, /status drain_evidence) as the status command shows it, per verdict.
const T0 = '2026-01-01T00:00:00.000Z'
const T1 = '2026-01-01T00:00:05.000Z'
const T2 = '2026-01-01T00:00:07.000Z'
const T3 = '2026-01-01T00:00:10.000Z'
const draining: DrainEvidenceView = {
  verdict: 'arriving',
  source: 'prometheus',
  connects_total: 1040,
  usual_rate_per_second: 2,
  drain_rate_per_second: null,
  draining_since: T0,
  eviction_since: null,
  connects_since_drain: 40,
  connects_since_eviction: null,
  last_arrival: T2,
  quiet_seconds: 0.5,
  quiet_window_seconds: 2.5,
  last_read: T3,
  error: null,
  counter: null,
}
const text = (e: ReceivedStatus['drain_evidence']): string => formatStatus({ state: 'draining', available: false, reason: 'evacuation', drain_evidence: e })
const lines = (e: ReceivedStatus['drain_evidence']): string[] => text(e).split('\n').filter((l) => /^(Arrivals| {2}since the drain| {2}WARNING: \d)/.test(l))

t.test('not draining: the source and the usual rate, one line', async (t) => {
  t.same(lines({ ...draining, verdict: 'not_draining', draining_since: null, connects_since_drain: null, last_arrival: null, quiet_seconds: null, quiet_window_seconds: null }),
    ['Arrivals (EMQX\'s CONNECT counter, GET /api/v5/prometheus/stats): not draining; usual rate 2 CONNECTs/s'])
  t.same(lines({ verdict: 'not_draining', source: null, usual_rate_per_second: null, draining_since: null, error: 'no CONNECT counter source without credentials on EMQX 4.4' }),
    ['Arrivals (EMQX\'s CONNECT counter): counter not readable (no CONNECT counter source without credentials on EMQX 4.4)'], 'unreadable says why')
})

t.test('draining: the verdict, then the CONNECTs since the drain and since eviction, and when the last one came', async (t) => {
  t.same(lines(draining), [
    'Arrivals (EMQX\'s CONNECT counter, GET /api/v5/prometheus/stats): CONNECTs still arrive; usual rate 2 CONNECTs/s, quiet window 2.5s',
    `  since the drain began at ${T0}: 40 CONNECTs; last arrival ${T2}; quiet for 0.5s (read at ${T3})`,
  ])
  t.equal(lines({ ...draining, drain_rate_per_second: 4, quiet_window_seconds: 1.3 })[0],
    'Arrivals (EMQX\'s CONNECT counter, GET /api/v5/prometheus/stats): CONNECTs still arrive; usual rate 2 CONNECTs/s, 4/s during the drain, ' +
      'quiet window 1.3s', 'the rate seen during the drain, when CONNECTs came')
  t.same(lines({ ...draining, verdict: 'quiet', source: 'v4_metrics', quiet_seconds: 3, eviction_since: T1, connects_since_eviction: 0 }), [
    'Arrivals (EMQX\'s CONNECT counter, GET /api/v4/nodes/<node>/metrics): quiet: no CONNECT for a whole 2.5s window; usual rate 2 CONNECTs/s',
    `  since the drain began at ${T0}: 40 CONNECTs, 0 since eviction began at ${T1}; last arrival ${T2}; quiet for 3s (read at ${T3})`,
  ])
  t.same(lines({ ...draining, verdict: 'too_little_traffic', usual_rate_per_second: 0, quiet_window_seconds: null, connects_since_drain: 0, last_arrival: null }), [
    'Arrivals (EMQX\'s CONNECT counter, GET /api/v5/prometheus/stats): too little traffic to judge (usual rate 0 CONNECTs/s); the wait ends on told + grace',
    `  since the drain began at ${T0}: 0 CONNECTs; last arrival none; quiet for 0.5s (read at ${T3})`,
  ])
})

t.test('no counter: no evidence, never "stopped"', async (t) => {
  t.same(lines({ ...draining, verdict: 'no_counter', source: 'metrics_api', connects_since_drain: null, last_arrival: null, quiet_seconds: null, error: '/api/v5/metrics?node=emqx%40n1: EMQX answered 503' }), [
    'Arrivals (EMQX\'s CONNECT counter, GET /api/v5/metrics): NO EVIDENCE: counter not readable (/api/v5/metrics?node=emqx%40n1: EMQX answered 503); ' +
      'the wait for the load balancers ends on told + grace',
    `  since the drain began at ${T0}: CONNECTs not counted`,
  ])
})

t.test('CONNECTs after eviction began: a warning line', async (t) => {
  const out = lines({ ...draining, eviction_since: T1, connects_since_eviction: 3 })
  t.equal(out[1], `  since the drain began at ${T0}: 40 CONNECTs, 3 since eviction began at ${T1}; last arrival ${T2}; quiet for 0.5s (read at ${T3})`)
  t.equal(out[2], '  WARNING: 3 CONNECT(s) after eviction began: a load balancer the sidecar does not see, or direct clients, still route here')
})

t.test('an older sidecar without drain_evidence, or a malformed one: no arrivals line', async (t) => {
  t.notMatch(text(undefined), /Arrivals/)
  t.notMatch(text(null), /Arrivals/)
  t.notMatch(formatStatus({ state: 'up', drain_evidence: 'x' } as unknown as ReceivedStatus), /Arrivals/)
})

t.test('the acknowledged wait held by arrivals (stage quiet)', async (t) => {
  const out = formatStatus({
    state: 'draining',
    overrides: {
      manual_drain: null,
      drain_file: null,
      evacuation: {
        phase: 'awaiting_ack', requested_by: 'x', acknowledgement: { stage: 'quiet', checkers_known: 1, checkers_told: 1, checkers_expected: 0, awaited: [], all_told_after_seconds: 0.4, max_at: 'T9' },
      },
    },
    observed: { state: 'up' },
  })
  t.match(out, /load balancers: every checker told after 0\.4s, but CONNECTs still arrive: EMQX is asked to evict once they stop, at most until T9\n/)
})

t.test('the counter\'s source and why not the others: one line under the verdict', async (t) => {
  const summary = 'metrics_api (prometheus stats answered 401: prometheus.enable_basic_auth is on (the default from EMQX 6.3): ' +
    'set an API key with the monitoring scope)'
  const out = text({ ...draining, source: 'metrics_api', counter: { source: 'metrics_api', summary, settled: true, sources: [] } }).split('\n')
  const at = out.findIndex((l) => l.startsWith('Arrivals'))
  t.equal(out[at + 1], `  counter source: ${summary}`)
  t.notMatch(text(draining), /counter source/, 'an older sidecar without it: no line')
})
