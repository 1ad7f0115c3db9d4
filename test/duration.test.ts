import t from 'tap'
import { formatDuration, parseDuration } from '../src/duration.js'

t.test('parses the units operators write', async (t) => {
  t.equal(parseDuration('500ms'), 500)
  t.equal(parseDuration('2s'), 2000)
  t.equal(parseDuration('1.5s'), 1500)
  t.equal(parseDuration('1m'), 60_000)
  t.equal(parseDuration('1h'), 3_600_000)
  t.equal(parseDuration('250'), 250, 'a bare number is milliseconds')
})

t.test('rejects what is not a duration', async (t) => {
  for (const bad of ['', 's', '-1s', '1 s x', '1d', 'abc', '1e3']) t.equal(parseDuration(bad), undefined, bad)
})

t.test('formats durations for messages', async (t) => {
  t.equal(formatDuration(250), '250ms')
  t.equal(formatDuration(1500), '1.5s')
  t.equal(formatDuration(120_000), '2m')
})
