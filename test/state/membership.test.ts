import t from 'tap'
import { membershipView } from '../../src/emqx/membership.js'
import { judgeView, nextMembership, type MembershipState } from '../../src/state/membership.js'

const view = (running: string[], extra: { topology?: Array<{ core: string, replicants: string[] }> } = {}) =>
  membershipView({ running, self: running[0] ?? 'emqx@a', ...extra })
const settings = { expect: 3, failureThreshold: 3 }

t.test('a majority of --expect-cluster-size stays in; at most N/2 is a minority', async (t) => {
  t.equal(judgeView(view(['emqx@a']), 3).verdict, 'minority', '1 of 3: alone')
  t.equal(judgeView(view(['emqx@a', 'emqx@b']), 3).verdict, 'in_cluster', '2 of 3: one lost node never fails the others')
  t.equal(judgeView(view(['emqx@a', 'emqx@b', 'emqx@c']), 3).verdict, 'in_cluster')
  t.equal(judgeView(view(['emqx@a', 'emqx@b']), 4).verdict, 'minority', '2 of 4 is half: not a majority')
  t.equal(judgeView(view(['emqx@a', 'emqx@b', 'emqx@c']), 4).verdict, 'in_cluster')
  t.equal(judgeView(view(['emqx@a']), 2).verdict, 'minority', 'two nodes: the survivor of a stop cannot tell it from a split')
  t.equal(judgeView(view(['emqx@a']), 1).verdict, 'in_cluster', 'a cluster of one is itself')
  t.match(judgeView(view(['emqx@a', 'emqx@b', 'emqx@c', 'emqx@d']), 3).message, /more than --expect-cluster-size 3/)
})

t.test('a replicant that sees no running core drains, whatever the count', async (t) => {
  const r = judgeView(view(['emqx@r1', 'emqx@r2', 'emqx@r3'], { topology: [] }), 3)
  t.equal(r.verdict, 'no_core')
  t.match(r.message, /replicant sees no running core/)
  t.equal(judgeView(view(['emqx@r1', 'emqx@c1'], { topology: [{ core: 'emqx@c1', replicants: ['emqx@r1'] }] }), 3).verdict, 'in_cluster')
})

t.test('readable views decide at once, both ways', async (t) => {
  const alone = nextMembership(undefined, { view: view(['emqx@a']) }, 1, settings)
  t.same([alone.verdict, alone.drains, alone.viewAt, alone.failures], ['minority', true, 1, 0])
  const back = nextMembership(alone, { view: view(['emqx@a', 'emqx@b']) }, 2, settings)
  t.same([back.verdict, back.drains], ['in_cluster', false], 'rejoined: the drain lifts on the first majority view')
})

t.test('an unreadable view never starts a drain, and says why', async (t) => {
  const s = nextMembership(undefined, { error: '/api/v5/cluster: EMQX answered 500' }, 1, settings)
  t.same([s.verdict, s.drains, s.failures], ['unknown', false, 1])
  t.match(s.message, /unreadable.*EMQX answered 500.*no evidence is not "alone"/)
  const inCluster = nextMembership(undefined, { view: view(['emqx@a', 'emqx@b']) }, 1, settings)
  const later = nextMembership(inCluster, { error: 'timeout' }, 2, settings)
  t.same([later.verdict, later.drains], ['unknown', false])
  t.equal(later.view, inCluster.view, 'the last view read is kept for /status')
})

t.test('a drain decided on a view is kept through fewer than failureThreshold unreadable reads, then lifted', async (t) => {
  let s: MembershipState = nextMembership(undefined, { view: view(['emqx@a']) }, 1, settings)
  s = nextMembership(s, { error: 'timeout' }, 2, settings)
  t.same([s.verdict, s.drains, s.failures], ['minority', true, 1])
  t.match(s.message, /still draining on the last view \(1 of 3 running\)/)
  s = nextMembership(s, { error: 'timeout' }, 3, settings)
  t.equal(s.drains, true, 'two in a row: kept')
  s = nextMembership(s, { error: 'timeout' }, 4, settings)
  t.same([s.verdict, s.drains], ['unknown', false], 'the third: no evidence any more, lifted')
})
