import t from 'tap'
import { classifyAvailability, classifyNodeStatus, parseNodeName } from '../../src/emqx/parse.js'
import { isEvictingState, parseLocalRebalance } from '../../src/emqx/rebalance.js'

t.test('availability_check answers per the facts file', async (t) => {
  t.same(classifyAvailability({ status: 200, body: '{}' }), { kind: 'available' })
  t.same(classifyAvailability({ status: 503, body: '{"code":"NODE_EVACUATING","message":"Node Evacuating"}' }), { kind: 'unavailable', code: 'NODE_EVACUATING' }, '5.x drain')
  t.same(classifyAvailability({ status: 503, body: '{}' }), { kind: 'unavailable' }, '4.4 drain')
})

t.test('anything else is a failure with a reason', async (t) => {
  const reason = (status: number, body: string): string | undefined => {
    const o = classifyAvailability({ status, body })
    return o.kind === 'failure' ? o.reason : undefined
  }
  t.equal(reason(200, '<html>'), 'bad_body')
  t.equal(reason(200, '[]'), 'bad_body')
  t.equal(reason(503, '<html>503</html>'), 'bad_body', 'a proxy error page is not a drain')
  t.equal(reason(503, '{"code":"RPC_ERROR","message":"x"}'), 'http_5xx', 'RPC_ERROR is not a drain')
  t.equal(reason(500, 'oops'), 'http_5xx')
  t.equal(reason(401, 'UNAUTHORIZED'), 'auth')
  t.equal(reason(403, '{}'), 'auth')
  t.equal(reason(404, '{"code":"NOT_FOUND"}'), 'not_found')
  t.equal(reason(302, ''), 'redirect')
  t.equal(reason(204, ''), 'http_status')
})

t.test('failure details quote a bounded snippet of the body', async (t) => {
  const o = classifyAvailability({ status: 500, body: 'x'.repeat(500) })
  t.ok(o.kind === 'failure' && o.detail.length < 150, 'detail is bounded')
})

t.test('node status: 200 running, 503 not running', async (t) => {
  t.same(classifyNodeStatus({ status: 200, body: 'Node emqx@h is started\nemqx is running' }), { kind: 'available' })
  t.same(classifyNodeStatus({ status: 503, body: '' }), { kind: 'not_running' })
  t.match(classifyNodeStatus({ status: 401, body: '' }), { kind: 'failure', reason: 'auth' })
})

t.test('node name from JSON or text', async (t) => {
  t.equal(parseNodeName('{"node_name":"emqx@10.0.0.1","broker_status":"started"}'), 'emqx@10.0.0.1')
  t.equal(parseNodeName('Node emqx@host.local is started\nemqx is running'), 'emqx@host.local')
  t.equal(parseNodeName('garbage'), undefined)
  t.equal(parseNodeName('{"node_name":5}'), undefined)
})

t.test('local rebalance status keeps only typed, documented fields', async (t) => {
  t.same(parseLocalRebalance('{"status":"disabled"}'), { status: 'disabled' })
  const v = parseLocalRebalance(JSON.stringify({
    status: 'enabled',
    process: 'evacuation',
    state: 'evicting_conns',
    connection_eviction_rate: 500,
    session_recipients: ['a@h', 7],
    stats: { initial_connected: 100, current_connected: 40, initial_sessions: 'x' },
    secret_field: 'no',
  }))
  t.same(v, { status: 'enabled', process: 'evacuation', state: 'evicting_conns', connection_eviction_rate: 500, session_recipients: ['a@h'], stats: { initial_connected: 100, current_connected: 40 } })
  t.equal(parseLocalRebalance('{"status":"weird"}'), undefined)
  t.equal(parseLocalRebalance('nope'), undefined)
})

t.test('a 403 names the API key scope EMQX 6.0.3+ and 6.1.2+ ask for (cluster_operations); a 401 names the credentials', async (t) => {
  const body = '{"code":"UNAUTHORIZED_ROLE","message":"This API Key don\'t have permission to access this resource"}'
  t.match(classifyAvailability({ status: 403, body }), { kind: 'failure', reason: 'auth', httpStatus: 403, detail: /cluster_operations scope/ })
  t.notMatch(classifyAvailability({ status: 401, body: '{}' }), { detail: /scope/ }, 'a 401 is the credentials, not the scope')
})

t.test('one set of eviction states: every state after the health-check wait, for a rebalance donor and an evacuation', async (t) => {
  const rebalance = ['wait_health_check', 'evicting_conns', 'wait_takeover', 'evicting_sessions']
  const evacuation = ['waiting_health_check', 'evicting_conns', 'waiting_takeover', 'evicting_sessions', 'prohibiting']
  for (const states of [rebalance, evacuation]) {
    t.same(states.map(isEvictingState), states.map((_, i) => i > 0), states.join(' -> '))
  }
  t.equal(isEvictingState(undefined), false, 'no state: not evicting')
  t.equal(isEvictingState('disabled'), false)
})
