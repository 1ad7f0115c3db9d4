import t from 'tap'
import pino from 'pino'
import { buildApp } from '../../../src/http/listeners/app.js'
import { AVAILABILITY_PATHS } from '../../../src/http/listeners/probe.js'
import { createMetrics } from '../../../src/metrics/registry.js'
import type { NodeState } from '../../../src/state/model.js'
import { TestStore as Store } from '../../support/test-store.js'
import { initialSnapshot } from '../../../src/state/transition.js'
import { moveTo } from '../../../src/state/move.js'

function setup (t: { teardown: (fn: () => unknown) => void }) {
  const store = new Store(initialSnapshot(Date.parse('2026-01-01T00:00:00Z')))
  const metrics = createMetrics(store)
  const app = buildApp({ store, metrics, log: pino({ level: 'silent' }) })
  t.teardown(() => app.close())
  const set = (state: NodeState): void => {
    store.update((s) => moveTo(s, state, state === 'up' ? 'emqx_available' : 'emqx_unavailable', 'test', Date.parse('2026-01-01T00:01:00Z')))
  }
  return { store, app, metrics, set }
}

const EXPECTED: Record<NodeState, number> = { starting: 503, up: 200, draining: 503, down: 503, stopping: 503 }

t.test('every availability path and method answers 200 only when up', async (t) => {
  const { app, set } = setup(t)
  for (const state of Object.keys(EXPECTED) as NodeState[]) {
    if (state !== 'starting') set(state)
    for (const url of AVAILABILITY_PATHS) {
      for (const method of ['GET', 'HEAD', 'OPTIONS'] as const) {
        const res = await app.inject({ method, url })
        const what = `${state} ${method} ${url}`
        t.equal(res.statusCode, EXPECTED[state], what)
        t.equal(res.headers['cache-control'], 'no-store', `${what}: no-store`)
        if (method === 'GET') {
          t.equal(Number(res.headers['content-length']), res.rawPayload.length, `${what}: content-length matches body`)
          t.same(res.json(), { state, reason: state === 'up' ? 'emqx_available' : state === 'starting' ? 'awaiting_first_check' : 'emqx_unavailable', since: state === 'starting' ? '2026-01-01T00:00:00.000Z' : '2026-01-01T00:01:00.000Z' }, `${what}: body`)
        } else {
          t.equal(res.rawPayload.length, 0, `${what}: status only`)
          t.equal(res.headers['content-length'], '0', `${what}: content-length 0`)
        }
      }
    }
  }
})

t.test('a query string does not change the answer (checkers add cache busters)', async (t) => {
  const { app, set } = setup(t)
  set('up')
  t.equal((await app.inject({ method: 'GET', url: '/availability?x=1' })).statusCode, 200)
})

t.test('/livez is 200 whatever the node state', async (t) => {
  const { app, set } = setup(t)
  for (const state of ['starting', 'down', 'draining', 'stopping'] as const) {
    set(state)
    const res = await app.inject({ method: 'GET', url: '/livez' })
    t.equal(res.statusCode, 200, state)
    t.equal(res.headers['cache-control'], 'no-store')
    t.equal((await app.inject({ method: 'HEAD', url: '/livez' })).statusCode, 200)
  }
})

t.test('/status shows state, reason, since, check details, API and rebalance', async (t) => {
  const { app, store } = setup(t)
  store.update((s) => ({
    ...moveTo(s, 'draining', 'emqx_unavailable', 'EMQX said 503', 1_700_000_000_000),
    emqxAnswered: true,
    lastCheck: { at: 1_700_000_000_500, durationMs: 1.234, outcome: 'unavailable' },
    lastSuccessAt: 1_700_000_000_500,
    api: { version: 'v5', base: new URL('http://127.0.0.1:18083/'), mode: 'rebalance' },
    nodeName: 'emqx@n1',
    rebalance: { status: 'enabled', process: 'evacuation', state: 'evicting_conns', stats: { initial_connected: 10, current_connected: 4 } },
  }))
  const res = await app.inject({ method: 'GET', url: '/status' })
  t.equal(res.statusCode, 200, '/status itself is always 200')
  t.match(res.json(), {
    state: 'draining',
    available: false,
    reason: 'emqx_unavailable',
    message: 'EMQX said 503',
    since: '2023-11-14T22:13:20.000Z',
    emqx: { answered: true, api_version: 'v5', api_mode: 'rebalance', drains_detectable: true, node_name: 'emqx@n1', last_check: { duration_ms: 1.23, outcome: 'unavailable' } },
    rebalance: { process: 'evacuation', state: 'evicting_conns', stats: { current_connected: 4 } },
  })
})

t.test('/metrics exposes state and counts probes by answer', async (t) => {
  const { app, set } = setup(t)
  set('up')
  await app.inject({ method: 'GET', url: '/availability' })
  await app.inject({ method: 'OPTIONS', url: '/' })
  set('draining')
  await app.inject({ method: 'HEAD', url: '/readyz' })
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  t.match(res.body, /emqx_lb_sidecar_state\{state="draining"\} 1/)
  t.match(res.body, /emqx_lb_sidecar_state\{state="up"\} 0/)
  t.match(res.body, /emqx_lb_sidecar_probes_total\{protocol="http",answer="200"\} 2/)
  t.match(res.body, /emqx_lb_sidecar_probes_total\{protocol="http",answer="503"\} 1/)
  t.match(res.body, /emqx_lb_sidecar_state_transitions_total\{to="draining"\} 1/)
  t.match(res.body, /emqx_lb_sidecar_build_info\{version="[^"]+",nodejs_version="v\d+/)
  t.match(res.body, /process_resident_memory_bytes/)
  // probes are counted on the hot path and handed to the counter at scrape time: nothing lost, nothing twice
  await app.inject({ method: 'GET', url: '/availability' })
  const again = await app.inject({ method: 'GET', url: '/metrics' })
  t.match(again.body, /emqx_lb_sidecar_probes_total\{protocol="http",answer="200"\} 2\n/)
  t.match(again.body, /emqx_lb_sidecar_probes_total\{protocol="http",answer="503"\} 2\n/)
})

t.test('unknown paths are 404; a known path with the wrong method is 405 with Allow', async (t) => {
  const { app } = setup(t)
  t.equal((await app.inject({ method: 'GET', url: '/nope' })).statusCode, 404)
  for (const url of AVAILABILITY_PATHS) {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const res = await app.inject({ method, url })
      t.equal(res.statusCode, 405, `${method} ${url}`)
      t.equal(res.headers.allow, 'GET, HEAD, OPTIONS', `${method} ${url}: Allow`)
      t.equal(res.headers['cache-control'], 'no-store')
    }
  }
  const status = await app.inject({ method: 'POST', url: '/status' })
  t.equal(status.statusCode, 405)
  t.equal(status.headers.allow, 'GET')
})
