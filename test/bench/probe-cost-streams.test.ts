import t from 'tap'
import { streamsSection, streamsStats } from '../../bench/lib/report-probe-cost-streams.js'
import type { StreamsCostResult, StreamsWindow } from '../../bench/sections/probe-cost-streams.js'
import { H2LOAD_MISSING } from '../../bench/sections/probe-cost.js'
import { summarize } from '../../bench/lib/stats.js'

const report = { done: 9800, succeeded: 9800, failed: 0, errored: 0, timeout: 0, status2xx: 9800, non2xx: 0 }
const win = (streams: number, ticks: number, p99: number): StreamsWindow => ({
  streams, ticks, windowMs: 10_000, report, sampled: 200, latencyMs: { ...summarize([0.3, 0.4]), p99 }, events: streams * 10,
})
const result: StreamsCostResult = {
  rate: 1000,
  connections: 100,
  streams: 32,
  warmupMs: 2000,
  durationMs: 10_000,
  clockTicks: 100,
  pinned: true,
  runs: [{ none: win(0, 60, 2), open: win(32, 66, 3) }],
}

t.test('CPU per probe counts the sampler\'s probes; events per stream a second', async (t) => {
  const none = streamsStats(result, (r) => r.none)
  const open = streamsStats(result, (r) => r.open)
  t.equal(Math.round(none.cpuUs), 60, '0.6 s of CPU over 10,000 probes')
  t.equal(Math.round(open.cpuUs), 66)
  t.equal(open.eventsPerStreamPerSecond, 1)
  t.equal(none.eventsPerStreamPerSecond, 0)
})

t.test('the section: one row without streams, one with, and the difference', async (t) => {
  const md = streamsSection(result).join('\n')
  t.match(md, /### CPU per probe and probe p99 with 32 live pages open/)
  t.match(md, /\| 0 \| 60\.0 \| [\d.]+ \| 2\.00 \|/)
  t.match(md, /\| 32 \| 66\.0 \| [\d.]+ \| 3\.00 \|/)
  t.match(md, /32 open streams: \+6\.0 µs CPU per probe \(\+10%\), probe p99 2\.00 -> 3\.00 ms\./)
  t.match(streamsSection({ ...result, runs: [], skipped: H2LOAD_MISSING }).join('\n'), `Skipped: ${H2LOAD_MISSING}.`)
})
