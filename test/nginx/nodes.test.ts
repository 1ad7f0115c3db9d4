import t from 'tap'
import { addressProblem, availabilityUrl, parseNodesFile, parseNodesFlag } from '../../src/nginx/nodes.js'

t.test('a nodes file: comments, blank lines, parameters', async (t) => {
  const r = parseNodesFile('# nodes\n\n10.0.0.1:1883 http://10.0.0.1:9183  weight=3 fail_timeout=10s # first\r\nemqx-2.local:1883\thttps://emqx-2.local:9183/sc/\n', 'nodes.txt')
  t.same(r.problems, [])
  t.equal(r.nodes.length, 2)
  t.same(r.nodes[0]?.params, ['weight=3', 'fail_timeout=10s'])
  t.equal(r.nodes[1]?.address, 'emqx-2.local:1883')
  t.equal(availabilityUrl(r.nodes[1] as never, '/availability'), 'https://emqx-2.local:9183/sc/availability')
  t.equal(availabilityUrl(r.nodes[0] as never, '/availability'), 'http://10.0.0.1:9183/availability')
})

t.test('every problem is reported with where it is; nothing can inject nginx syntax', async (t) => {
  const r = parseNodesFile([
    '10.0.0.1:1883',
    '10.0.0.2 http://x:9183',
    '10.0.0.3:1883 ftp://x',
    '10.0.0.4:1883 http://u:p@x:9183',
    '10.0.0.5:1883 http://x:9183 down',
    '10.0.0.6:1883 http://x:9183 weight=1;server',
    '10.0.0.7:1883 http://x:9183',
    '10.0.0.7:1883 http://y:9183',
    '[zz]:1883 http://x:9183',
    '10.0.0.8:70000 http://x:9183',
  ].join('\n'), 'n.txt')
  t.same(r.problems.map((p) => p.replace(/:.*/, '')), ['n.txt line 1', 'n.txt line 2', 'n.txt line 3', 'n.txt line 4', 'n.txt line 5', 'n.txt line 6', 'n.txt line 8', 'n.txt line 9', 'n.txt line 10'])
  t.match(r.problems[3], /must not contain credentials/)
  t.notMatch(r.problems.join('\n'), /u:p@/, 'credentials are not echoed')
  t.match(r.problems[4], /unknown server parameter "down"/)
  t.match(r.problems[5], /weight=1;server is not a valid value/)
  t.match(r.problems[6], /listed twice/)
})

t.test('--nodes entries are comma separated', async (t) => {
  const r = parseNodesFlag('127.0.0.1:1 http://127.0.0.1:2, ,127.0.0.1:3 http://127.0.0.1:4', '--nodes')
  t.same(r.problems, [])
  t.same(r.nodes.map((n) => n.address), ['127.0.0.1:1', '127.0.0.1:3'])
})

t.test('addresses', async (t) => {
  t.equal(addressProblem('127.0.0.1:1883'), undefined)
  t.equal(addressProblem('[::1]:1883'), undefined)
  t.equal(addressProblem('emqx.svc.cluster.local:1883'), undefined)
  t.match(addressProblem('::1:1883'), /not host:port/)
  t.match(addressProblem('a:0'), /port 0/)
})
