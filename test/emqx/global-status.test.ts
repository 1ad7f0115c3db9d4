import t from 'tap'
import { isBalanced, parseGlobalStatus } from '../../src/emqx/global-status.js'
import { globalStatus } from '../../src/emqx-double/node-model.js'

t.test('5.x shape: evacuations, purges and rebalances', async (t) => {
  const doc = {
    evacuations: [{ node: 'emqx@n2', state: 'evicting_conns', connection_eviction_rate: 500, session_eviction_rate: 500, connection_goal: 0, session_goal: 0, session_recipients: ['emqx@n1'], stats: { initial_connected: 1000, current_connected: 600, initial_sessions: 1000, current_sessions: 650 } }],
    purges: [{ node: 'emqx@n3', state: 'purging', purge_rate: 500 }],
    rebalances: [{ node: 'emqx@n1', state: 'evicting_conns', coordinator_node: 'emqx@n1', donors: ['emqx@n1', 'emqx@n2'], recipients: ['emqx@n4'], connection_eviction_rate: 10, session_eviction_rate: 10, connection_goal: 2340, disconnected_session_goal: 0, donor_conn_avg: 2553, donor_sess_avg: 2553 }],
  }
  const s = parseGlobalStatus(JSON.stringify(doc))
  t.match(s, {
    evacuations: [{ node: 'emqx@n2', state: 'evicting_conns', session_recipients: ['emqx@n1'], stats: { current_connected: 600 } }],
    purges: [{ node: 'emqx@n3', state: 'purging' }],
    rebalances: [{ node: 'emqx@n1', donors: ['emqx@n1', 'emqx@n2'], recipients: ['emqx@n4'], connection_goal: 2340, donor_conn_avg: 2553 }],
  })
})

t.test('4.4 shape: no purges key', async (t) => {
  const s = parseGlobalStatus(JSON.stringify({ evacuations: [], rebalances: [{ node: 'emqx@n1', state: 'wait_health_check', coordinator_node: 'emqx@n1', donors: ['emqx@n1'], recipients: ['emqx@n2'], connection_eviction_rate: 10 }] }))
  t.same(s?.purges, [])
  t.equal(s?.rebalances[0]?.connection_goal, undefined, 'averages appear only once eviction starts')
})

t.test('4.4, node-keyed maps (the 2022 code: maps:from_list/1 of {Node, Status}, minirest renders the map): read as the arrays are', async (t) => {
  const doc = {
    evacuations: { 'emqx@n2': { state: 'evicting_conns', connection_eviction_rate: 500, stats: { initial_connected: 10, current_connected: 6 } } },
    rebalances: { 'emqx@n1': { state: 'evicting_conns', coordinator_node: 'emqx@n1', donors: ['emqx@n1'], recipients: ['emqx@n3'], connection_goal: 4 } },
  }
  t.same(parseGlobalStatus(JSON.stringify(doc)), {
    evacuations: [{ node: 'emqx@n2', state: 'evicting_conns', connection_eviction_rate: 500, stats: { initial_connected: 10, current_connected: 6 } }],
    purges: [],
    rebalances: [{ node: 'emqx@n1', donors: ['emqx@n1'], recipients: ['emqx@n3'], state: 'evicting_conns', coordinator_node: 'emqx@n1', connection_goal: 4 }],
  })
  t.same(parseGlobalStatus('{"evacuations":{},"rebalances":{}}'), { evacuations: [], purges: [], rebalances: [] }, 'nothing running: two empty maps')
  t.same(parseGlobalStatus('{"evacuations":{"emqx@n2":{"node":"emqx@n9","state":"x"}},"rebalances":[]}')?.evacuations, [{ node: 'emqx@n9', state: 'x' }],
    'a node field in the entry wins over the key')
  t.same(parseGlobalStatus('{"evacuations":{"emqx@n2":5,"emqx@n3":null},"rebalances":{"emqx@n1":"x"}}'), { evacuations: [], purges: [], rebalances: [] },
    'entries that are not objects are left out')
  t.same(parseGlobalStatus('{"evacuations":[{"node":"emqx@n2","state":"prohibiting"}],"rebalances":{}}')?.evacuations, [{ node: 'emqx@n2', state: 'prohibiting' }],
    'the array form (what the operator parses) and the map form may even be mixed')
})

t.test('the simulator produces parseable global_status for both API generations', async (t) => {
  const counts = { connects: 0, connections: 10, sessions: 10, disconnectedSessions: 0, initialConnections: 20, initialSessions: 20 }
  for (const api of ['v4', 'v5'] as const) {
    const evac = parseGlobalStatus(JSON.stringify(globalStatus('emqx@a', { kind: 'evacuation', state: 'evicting_conns', params: { wait_health_check: 10, conn_evict_rate: 5, sess_evict_rate: 5, wait_takeover: 10, redirect_to: '', migrate_to: [] } }, counts, api)))
    t.equal(evac?.evacuations.length, 1, `${api} evacuation`)
    const rb = parseGlobalStatus(JSON.stringify(globalStatus('emqx@a', { kind: 'rebalance', role: 'donor', state: 'evicting_conns', coordinator: 'emqx@a', donors: ['emqx@a'], recipients: ['emqx@b'] }, counts, api)))
    t.equal(rb?.rebalances[0]?.coordinator_node, 'emqx@a', `${api} rebalance`)
  }
})

t.test('garbage is not a cluster status', async (t) => {
  t.equal(parseGlobalStatus('nope'), undefined)
  t.equal(parseGlobalStatus('{"foo":1}'), undefined)
  t.same(parseGlobalStatus('{"evacuations":[{"no_node":1}, 5],"rebalances":"x"}'), { evacuations: [], purges: [], rebalances: [] })
})

t.test('balance condition as EMQX computes it (emqx_node_rebalance.erl, =<)', async (t) => {
  // the seed's example: avg(2553, 2553, 2554) < 2340 * 1.1
  t.equal(isBalanced(2553.3, 2340, { abs: 100, rel: 1.1 }), true, 'relative threshold satisfied')
  t.equal(isBalanced(5000, 0, { abs: 100, rel: 1.1 }), false)
  t.equal(isBalanced(130, 100, { abs: 31, rel: 1.1 }), true, 'absolute threshold satisfied')
  t.equal(isBalanced(130, 100, { abs: 30, rel: 1.1 }), true, 'EMQX compares with =<: equal to the bound is balanced')
  t.equal(isBalanced(110, 100, { abs: 0, rel: 1.1 }), true, 'and so for the relative bound')
  t.equal(isBalanced(130.5, 100, { abs: 30, rel: 1.1 }), false, 'above both bounds')
  t.equal(isBalanced(undefined, 100, { abs: 30, rel: 1.1 }), undefined)
})
