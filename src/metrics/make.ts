import {
  Counter, Gauge, Histogram, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type Registry,
} from 'prom-client'

// The one way src/ makes a metric: in the registry given, returned. prom-client metrics register themselves in
// their `registers`, so a metric read only at scrape time (collect) needs no variable; the result may be dropped.
type Config<C> = Omit<C, 'registers'>

export function gauge<T extends string> (r: Registry, config: Config<GaugeConfiguration<T>>): Gauge<T> {
  return new Gauge<T>({ ...config, registers: [r] })
}

export function counter<T extends string> (r: Registry, config: Config<CounterConfiguration<T>>): Counter<T> {
  return new Counter<T>({ ...config, registers: [r] })
}

export function histogram<T extends string> (r: Registry, config: Config<HistogramConfiguration<T>>): Histogram<T> {
  return new Histogram<T>({ ...config, registers: [r] })
}
