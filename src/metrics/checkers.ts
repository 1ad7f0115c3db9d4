import { Gauge, type Registry } from 'prom-client'
import { counter, gauge } from './make.js'
import type { DrainAcknowledgement, DrainProgress } from '../ack/drain.js'
import type { CheckerInfo, CheckerTracker } from '../checkers/tracker.js'
import { CHECKER_KINDS } from '../checkers/protocols.js'
import { PREFIX } from './names.js'

/** The drain view when no drain acknowledgement is followed. */
const NOT_FOLLOWED: DrainProgress = { since: undefined, acknowledged: false, acknowledgedAfterMs: undefined, told: 0, active: 0 }

/**
 * Checker and drain-acknowledgement metrics, read from the tracker at scrape time. Cardinality is
 * bounded: counts and 0/1 verdicts; one series per source only when configured (and then at most
 * --max-checkers of them).
 */
export function registerCheckerMetrics (
  registry: Registry, tracker: CheckerTracker, drainAck: DrainAcknowledgement | undefined, perSource: boolean
): void {
  // One scrape reads the tracker once: the gauges below share one walk of the checkers and one drain view.
  let scrape: { readonly views: CheckerInfo[], readonly drain: DrainProgress } | undefined
  const read = (): { readonly views: CheckerInfo[], readonly drain: DrainProgress } => {
    if (scrape === undefined) {
      const now = Date.now()
      scrape = { views: tracker.checkers(now), drain: drainAck?.progress(now) ?? NOT_FOLLOWED }
      setImmediate(() => { scrape = undefined }) // every collect() of one scrape runs before the next turn
    }
    return scrape
  }
  gauge(registry, {
    name: `${PREFIX}checkers`,
    help: 'Distinct load-balancer checkers seen recently (source, kind, user agent), by kind.',
    labelNames: ['kind'],
    collect () {
      const { views } = read()
      for (const kind of CHECKER_KINDS) this.set({ kind }, views.filter((c) => c.kind === kind).length)
    },
  })
  gauge(registry, {
    name: `${PREFIX}checkers_slow`,
    help: 'Checkers whose observed interval x fall exceeds the configured wait_health_check budget.',
    collect () { this.set(read().views.filter((c) => c.withinBudget === false).length) },
  })
  gauge(registry, {
    name: `${PREFIX}drain_checkers_told`,
    help: 'During a drain: active checkers that have received at least `fall` drain answers.',
    collect () { this.set(read().drain.told) },
  })
  gauge(registry, {
    name: `${PREFIX}drain_checkers_active`,
    help: 'During a drain: checkers expected to probe again (seen within 3 of their intervals).',
    collect () { this.set(read().drain.active) },
  })
  gauge(registry, {
    name: `${PREFIX}drain_acknowledged`,
    help: '1 once every active checker has been told about the current drain; 0 otherwise (and when not draining).',
    collect () { this.set(read().drain.acknowledged ? 1 : 0) },
  })
  const acknowledgedAfter = 'Time from the start of the current drain until every active checker had been told; absent until then.'
  optionalGauge(`${PREFIX}drain_acknowledged_after_seconds`, acknowledgedAfter, registry, () => {
    const ms = read().drain.acknowledgedAfterMs
    return ms === undefined ? undefined : ms / 1000
  })
  counter(registry, {
    name: `${PREFIX}checkers_evicted_total`,
    help: 'Checkers forgotten because --max-checkers was reached (many or spoofed sources).',
    collect () { this.reset(); this.inc(tracker.evicted) },
  })
  if (perSource) {
    gauge(registry, {
      name: `${PREFIX}checker_told`,
      help: 'Per checker source: 1 when told about the current drain, 0 otherwise.',
      labelNames: ['source', 'kind'],
      collect () {
        this.reset()
        for (const c of read().views) this.set({ source: c.source, kind: c.kind }, c.told ? 1 : 0)
      },
    })
  }
}

/**
 * An unlabelled gauge that has no sample while its value is unknown. prom-client's unlabelled Gauge
 * always has one (0 after reset()), and 0 would read as "acknowledged at once".
 */
class OptionalGauge extends Gauge {
  readonly #read: () => number | undefined

  constructor (name: string, help: string, registers: Registry[], read: () => number | undefined) {
    super({ name, help, registers })
    this.#read = read
  }

  override async get (): ReturnType<Gauge['get']> {
    const m = await super.get()
    const v = this.#read()
    return { ...m, values: v === undefined ? [] : [{ value: v, labels: {} }] }
  }
}

function optionalGauge (name: string, help: string, r: Registry, read: () => number | undefined): OptionalGauge {
  return new OptionalGauge(name, help, [r], read)
}
