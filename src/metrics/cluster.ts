import { type Registry } from 'prom-client'
import { gauge } from './make.js'
import type { ClusterConfig } from '../config/serve-types.js'
import { isBalanced } from '../emqx/global-status.js'
import type { Store } from '../state/store.js'
import { PREFIX } from './names.js'

/** The cluster view (global_status), cached: counts per process kind and per-rebalance averages and verdicts. */
export function registerClusterMetrics (registry: Registry, store: Store, t: ClusterConfig): void {
  gauge(registry, {
    name: `${PREFIX}cluster_processes`,
    help: 'Cluster-wide evacuations, purges and rebalances in progress (cached from global_status); absent when not readable.',
    labelNames: ['process'],
    collect () {
      this.reset()
      const c = store.current.cluster
      if (c === undefined) return
      this.set({ process: 'evacuation' }, c.evacuations.length)
      this.set({ process: 'purge' }, c.purges.length)
      this.set({ process: 'rebalance' }, c.rebalances.length)
    },
  })
  gauge(registry, {
    name: `${PREFIX}cluster_evacuation_connections`,
    help: 'Current connections on each evacuating node (cached from global_status).',
    labelNames: ['node'],
    collect () {
      this.reset()
      for (const e of store.current.cluster?.evacuations ?? []) {
        const v = e.stats?.current_connected
        if (v !== undefined) this.set({ node: e.node }, v)
      }
    },
  })
  gauge(registry, {
    name: `${PREFIX}cluster_rebalance_avg`,
    help: 'Average connections / disconnected sessions of donors and recipients per running rebalance (cached from global_status).',
    labelNames: ['coordinator', 'role', 'unit'],
    collect () {
      this.reset()
      for (const rb of store.current.cluster?.rebalances ?? []) {
        const set = (role: string, unit: string, v: number | undefined): void => {
          if (v !== undefined) this.set({ coordinator: rb.node, role, unit }, v)
        }
        set('donor', 'connections', rb.donor_conn_avg)
        set('recipient', 'connections', rb.connection_goal)
        set('donor', 'sessions', rb.donor_sess_avg)
        set('recipient', 'sessions', rb.disconnected_session_goal)
      }
    },
  })
  gauge(registry, {
    name: `${PREFIX}cluster_rebalance_balanced`,
    help: 'Balance condition per running rebalance: avg(donor) <= avg(recipient) + abs_threshold or <= avg(recipient) * rel_threshold, ' +
      'sessions counting disconnected ones (1 balanced, 0 not); absent until EMQX reports both averages.',
    labelNames: ['coordinator', 'unit'],
    collect () {
      this.reset()
      for (const rb of store.current.cluster?.rebalances ?? []) {
        const conn = isBalanced(rb.donor_conn_avg, rb.connection_goal, t.conn)
        const sess = isBalanced(rb.donor_sess_avg, rb.disconnected_session_goal, t.sess)
        if (conn !== undefined) this.set({ coordinator: rb.node, unit: 'connections' }, conn ? 1 : 0)
        if (sess !== undefined) this.set({ coordinator: rb.node, unit: 'sessions' }, sess ? 1 : 0)
      }
    },
  })
}
