import t from 'tap'
import { durationProblem, formatDuration, parseDuration } from '../src/duration.js'

t.test('parses the units operators write', async (t) => {
  t.equal(parseDuration('500ms'), 500)
  t.equal(parseDuration('2s'), 2000)
  t.equal(parseDuration('1.5s'), 1500)
  t.equal(parseDuration('1m'), 60_000)
  t.equal(parseDuration('1h'), 3_600_000)
  t.equal(parseDuration('0'), 0, 'zero needs no unit: it is zero in every unit')
  t.equal(parseDuration('0s'), 0)
})

t.test('a bare number is not a duration: every duration needs a unit', async (t) => {
  for (const bare of ['250', '60', '1.5', '00']) t.equal(parseDuration(bare), undefined, bare)
  t.equal(durationProblem('60'), '"60" has no unit: write 60s or 60ms (every duration needs a unit)')
  t.equal(durationProblem('1.5'), '"1.5" has no unit: write 1.5s or 1.5ms (every duration needs a unit)')
  t.equal(durationProblem('2s'), undefined)
  t.equal(durationProblem('0'), undefined)
})

t.test('rejects what is not a duration', async (t) => {
  for (const bad of ['', 's', '-1s', '1 s x', '1d', 'abc', '1e3']) {
    t.equal(parseDuration(bad), undefined, bad)
    t.match(durationProblem(bad), /is not a duration \(e\.g\. 500ms, 2s, 1m, 1h\)/, bad)
  }
})

t.test('formats durations for messages', async (t) => {
  t.equal(formatDuration(250), '250ms')
  t.equal(formatDuration(1500), '1.5s')
  t.equal(formatDuration(120_000), '2m')
})
