import t from 'tap'
import { soak } from './soak.js'

/**
 * CI-sized soak (about 15 s). `npm run soak` runs the same for SOAK_SECONDS (default 300):
 * zero failed probes, only 200/503 answers, descriptors and handles back to baseline, memory flat.
 */
const seconds = Number(process.env.SOAK_SECONDS ?? 12)

t.test(`soak: ${seconds}s of probe load, state flips and upstream faults`, async (t) => {
  const r = await soak(t, seconds)
  t.same(r.probes.errors, [], 'zero failed probes')
  // that the load ran, not how fast: throughput is the bench's business, and a loaded machine answers fewer
  t.ok(r.probes.count > seconds * 20, `sustained load: ${r.probes.count} probes`)
  t.same(Object.keys(r.probes.statuses).sort(), ['200', '503'], 'only 200 and 503, both seen')
  t.ok(r.flips >= seconds * 2, `${r.flips} upstream flips`)
  t.ok(r.fdAfter <= r.fdBaseline + 4, `descriptors back to baseline: ${r.fdBaseline} -> ${r.fdAfter}`)
  t.ok(r.handlesAfter <= r.handlesBaseline + 4, `active handles back to baseline: ${r.handlesBaseline} -> ${r.handlesAfter}`)
  t.ok(r.rssEndMiB - r.rssStartMiB < 64, `RSS ${r.rssStartMiB.toFixed(1)} -> ${r.rssEndMiB.toFixed(1)} MiB (bound +64 MiB)`)
  // over minutes a leak shows as a slope; over seconds, GC and JIT noise dominate
  if (seconds >= 120) t.ok(r.rssSlopeMiBPerMin < 2, `RSS slope ${r.rssSlopeMiBPerMin.toFixed(2)} MiB/min (bound 2)`)
})
