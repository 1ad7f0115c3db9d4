import t from 'tap'
import { NGINX_SYNC_USER_AGENT } from '../../src/checkers/rule.js'
import { drainBegins } from '../../src/ack/drain.js'
import type { Observation } from '../../src/checkers/tracker.js'
import { drainAckHarness } from '../support/drain-ack.js'

const probe = (source: string, at: number, available: boolean, kind: 'http' | 'agent' = 'http'): Observation =>
  ({ source, kind, available, answer: kind === 'http' ? (available ? '200' : '503') : (available ? 'up' : 'drain'), at })

t.test('drain acknowledgement: every active checker told after `fall` drain answers', async (t) => {
  const { tracker: tr, ack, acks, drain, up } = drainAckHarness()
  for (let i = 0; i < 3; i++) { tr.observe(probe('lb1', i * 1000, true)); tr.observe(probe('lb2', i * 1000 + 500, true, 'agent')) }
  drain(3000)
  t.match(ack.progress(3000), { acknowledged: false, told: 0, active: 2 })
  tr.observe(probe('lb2', 3500, false, 'agent'))
  t.match(ack.progress(3500), { told: 1, acknowledged: false }, 'the agent acts on one drain answer')
  tr.observe(probe('lb1', 4000, false))
  tr.observe(probe('lb1', 5000, false))
  t.equal(acks.length, 0, 'not yet: lb1 needs 3')
  tr.observe(probe('lb1', 6000, false))
  t.equal(acks.length, 1)
  t.match(acks[0], { acknowledged: true, acknowledgedAfterMs: 3000, told: 2, active: 2 })
  tr.observe(probe('lb1', 7000, false))
  t.equal(acks.length, 1, 'acknowledged once per drain')
  up(8000)
  t.match(ack.progress(8000), { acknowledged: false, told: 0 })
  t.equal(ack.progress(8000).since, undefined, 'not draining')
})

t.test('nginx-sync, known by its User-Agent, is told after one drain answer: it takes a node out on its first 503', async (t) => {
  const { tracker: tr, ack, acks, drain } = drainAckHarness()
  const sync = (at: number, available: boolean): Observation => ({ ...probe('10.0.0.9', at, available), userAgent: NGINX_SYNC_USER_AGENT })
  const other = (at: number, available: boolean): Observation => ({ ...probe('10.0.0.9', at, available), userAgent: 'emqx-lb-sidecar-nginx-sync-lookalike/2' })
  for (let i = 0; i < 3; i++) { tr.observe(sync(i * 1000, true)); tr.observe(other(i * 1000 + 100, true)) }
  t.match(tr.checkers(3000).find((c) => c.userAgent === NGINX_SYNC_USER_AGENT), { fall: 1, detectionMs: 1000 })
  t.match(tr.checkers(3000).find((c) => c.userAgent !== NGINX_SYNC_USER_AGENT), { fall: 3 }, 'any other HTTP checker keeps --checker-fall')
  drain(3000)
  tr.observe(sync(3500, false))
  t.match(ack.progress(3500), { told: 1, active: 2, acknowledged: false }, 'nginx-sync told by its first 503')
  for (const at of [3600, 4600, 5600]) tr.observe(other(at, false))
  t.equal(acks.length, 1)
  t.match(acks[0], { acknowledged: true, acknowledgedAfterMs: 2600, told: 2 })
})

t.test('what counts as the start of a drain', async (t) => {
  t.equal(drainBegins('up', 'draining'), true)
  t.equal(drainBegins('starting', 'draining'), true, 'already draining when the sidecar started')
  t.equal(drainBegins('up', 'down'), true)
  t.equal(drainBegins('up', 'stopping'), true)
  t.equal(drainBegins('draining', 'stopping'), false, 'same drain continues')
  t.equal(drainBegins('starting', 'down'), false)
  t.equal(drainBegins('down', 'up'), false)
})

t.test('a one-off request is not a checker to wait for: it is expected for 5 s only, a repeat checker within 3 intervals', async (t) => {
  const { tracker: tr, ack, drain } = drainAckHarness()
  for (let i = 0; i < 4; i++) tr.observe(probe('lb', i * 2000, true, 'agent'))
  tr.observe({ ...probe('10.9.9.9', 6500, true), userAgent: 'curl/8.5.0' })
  drain(7000)
  tr.observe(probe('lb', 8000, false, 'agent'))
  t.match(ack.progress(8000), { acknowledged: false, told: 1, active: 2 }, 'a curl seen 1.5 s ago may still be a checker')
  t.match(ack.progress(11_600), { told: 1, active: 1 }, 'more than 5 s after its only probe it is not expected')
  tr.observe(probe('lb', 12_000, false, 'agent'))
  t.match(ack.progress(12_000), { acknowledged: true, active: 1 }, 'acknowledged once the repeat checker was told')
  t.match(ack.progress(22_000), { active: 0 }, 'a checker silent for more than three of its intervals drops out')
})

t.test('--expect-checkers: fewer expected checkers than required never acknowledge', async (t) => {
  const { tracker: tr, ack, drain } = drainAckHarness({}, 2)
  for (let i = 0; i < 3; i++) tr.observe(probe('lb', i * 1000, true, 'agent'))
  drain(3000)
  tr.observe(probe('lb', 3500, false, 'agent'))
  t.match(ack.progress(3500), { acknowledged: false, told: 1, active: 1 })
})

t.test('a checker that went away does not block acknowledgement', async (t) => {
  const { tracker: tr, acks, drain } = drainAckHarness()
  tr.observe(probe('gone', 0, true))
  tr.observe(probe('gone', 1000, true))
  for (let i = 0; i <= 20; i++) tr.observe(probe('lb', i * 1000, true, 'agent'))
  drain(21_000)
  tr.observe(probe('lb', 22_000, false, 'agent'))
  t.equal(acks.length, 1, 'only recently seen checkers are waited for')
})
