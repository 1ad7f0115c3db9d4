import { type Registry } from 'prom-client'
import { counter, gauge } from './make.js'
import type { ClusterConfig } from '../config/serve-types.js'
import type { Store } from '../state/store.js'
import { PREFIX } from './names.js'

/** This node's membership (--expect-cluster-size, src/state/membership.ts): its own view and the drain it decides. Absent when off. */
export function registerMembershipMetrics (registry: Registry, store: Store, t: ClusterConfig): void {
  const on = t.expectSize > 0
  gauge(registry, {
    name: `${PREFIX}cluster_expected_nodes`,
    help: '--expect-cluster-size: the cluster\'s nodes; this node drains while its own view has at most half of them running.',
    collect () { this.reset(); if (on) this.set(t.expectSize) },
  })
  gauge(registry, {
    name: `${PREFIX}cluster_running_nodes`,
    help: 'Running nodes in this node\'s own view of its cluster, itself included (GET /api/v5/cluster, 4.4 /api/v4/nodes; the last ' +
      'view read, cached); absent until one was read.',
    collect () {
      this.reset()
      const n = store.current.membership?.view?.running.length
      if (on && n !== undefined) this.set(n)
    },
  })
  gauge(registry, {
    name: `${PREFIX}cluster_view_readable`,
    help: 'Whether the last read of this node\'s cluster view answered (1) or not (0: no evidence, which never drains).',
    collect () {
      this.reset()
      const m = store.current.membership
      if (on && m !== undefined) this.set(m.error === undefined ? 1 : 0)
    },
  })
  gauge(registry, {
    name: `${PREFIX}not_in_cluster`,
    help: 'Whether this node is drained (reason not_in_cluster) because its own view is a minority or a replicant without a core.',
    collect () { this.reset(); if (on) this.set(store.current.overrides.notInCluster !== undefined ? 1 : 0) },
  })
  const drains = counter(registry, {
    name: `${PREFIX}not_in_cluster_drains_total`,
    help: 'Membership drains begun: this node found itself out of its cluster (not_in_cluster set).',
  })
  if (!on) return
  drains.inc(0)
  store.on('update', (next, prev) => {
    if (next.overrides.notInCluster !== undefined && prev.overrides.notInCluster === undefined) drains.inc()
  })
}
