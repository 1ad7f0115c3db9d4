import t from 'tap'
import { parseNodesFlag } from '../../src/nginx/nodes.js'
import { downInText, renderUpstream } from '../../src/nginx/render.js'

const { nodes } = parseNodesFlag('10.0.0.1:1883 http://10.0.0.1:9183 weight=2, 10.0.0.2:1883 http://10.0.0.2:9183, [::1]:1883 http://[::1]:9183 max_fails=0', 'test')
const opts = { upstreamName: 'emqx_mqtt', balance: 'least_conn', zoneSize: '64k' } as const
const avail = (...up: boolean[]): Map<string, boolean> => new Map(nodes.map((n, i) => [n.address, up[i] === true]))

t.test('an unavailable node is marked down, never removed; parameters are kept', async (t) => {
  const r = renderUpstream(nodes, avail(true, false, true), opts)
  t.same(r.down, ['10.0.0.2:1883'])
  t.equal(r.failsafe, false)
  t.match(r.text, /upstream emqx_mqtt \{\n {4}zone emqx_mqtt 64k;\n {4}least_conn;\n/)
  t.match(r.text, /\n {4}server 10\.0\.0\.1:1883 weight=2;\n {4}server 10\.0\.0\.2:1883 down;\n {4}server \[::1\]:1883 max_fails=0;\n\}\n$/)
  t.same(downInText(r.text), ['10.0.0.2:1883'])
})

t.test('every node unavailable: fail-safe keeps all in (an all-down upstream refuses every client)', async (t) => {
  const r = renderUpstream(nodes, avail(false, false, false), opts)
  t.equal(r.failsafe, true)
  t.same(r.down, [])
  t.notMatch(r.text, /down;/)
  t.equal(r.text, renderUpstream(nodes, avail(true, true, true), opts).text, 'same text as all available: entering the fail-safe causes no extra reload')
})

t.test('a node missing from the availability map (never answered) counts as unavailable', async (t) => {
  const r = renderUpstream(nodes, new Map([['10.0.0.1:1883', true]]), opts)
  t.same(r.down, ['10.0.0.2:1883', '[::1]:1883'])
})

t.test('equal input renders byte-equal text (change detection is a string compare)', async (t) => {
  t.equal(renderUpstream(nodes, avail(true, false, true), opts).text, renderUpstream(nodes, avail(true, false, true), opts).text)
})

t.test('balancing methods', async (t) => {
  t.notMatch(renderUpstream(nodes, avail(true, true, true), { ...opts, balance: 'round_robin' }).text, /least_conn|hash|random/)
  t.match(renderUpstream(nodes, avail(true, true, true), { ...opts, balance: 'hash_remote_addr' }).text, /hash \$remote_addr consistent;/)
  t.match(renderUpstream(nodes, avail(true, true, true), { ...opts, balance: 'random' }).text, /random two least_conn;/)
})
