import t from 'tap'
import { HttpProbes } from '../../../src/http/listeners/probe.js'
import { TestStore } from '../../support/test-store.js'
import type { Snapshot } from '../../../src/state/model.js'
import { applyCheck, initialSnapshot } from '../../../src/state/transition.js'

const T0 = Date.parse('2026-01-01T00:00:00Z')
const check = (s: Snapshot, kind: 'available' | 'unavailable', at: number): Snapshot =>
  applyCheck(s, { outcome: { kind }, at, durationMs: 1 }, 3)

t.test('the probe answer is rebuilt when what it says changes, not at every check', async (t) => {
  const probes = new HttpProbes({ store: new TestStore(initialSnapshot(T0)), recorder: { probe: () => undefined } })
  const cachedProbeAnswer = (s: Snapshot): ReturnType<HttpProbes['answer']> => probes.answer(s)
  const up1 = check(initialSnapshot(T0), 'available', T0 + 1000)
  const up2 = check(up1, 'available', T0 + 2000)
  t.not(up2, up1, 'a check replaces the snapshot (its lastCheck)')
  const a1 = cachedProbeAnswer(up1)
  t.equal(cachedProbeAnswer(up2), a1, 'same state, reason and since: the same answer object')
  t.equal(a1.status, 200)

  const draining = check(up2, 'unavailable', T0 + 3000)
  const d = cachedProbeAnswer(draining)
  t.equal(d.status, 503, 'a drain is answered at once')
  t.match(JSON.parse(d.body), { state: 'draining', reason: 'emqx_unavailable', since: new Date(T0 + 3000).toISOString() })

  const upAgain = check(draining, 'available', T0 + 4000)
  const u = cachedProbeAnswer(upAgain)
  t.equal(u.status, 200)
  t.not(u, a1, 'up again is a new answer: its since is the new one')
  t.match(JSON.parse(u.body), { state: 'up', since: new Date(T0 + 4000).toISOString() })
  t.equal(cachedProbeAnswer(up1).status, 200, 'an older snapshot asked again gets its own answer')
  t.match(JSON.parse(cachedProbeAnswer(up1).body), { since: new Date(T0 + 1000).toISOString() })
})
