import type { ApiVersion } from './api.js'
import { CREDENTIALS_HINT } from './parse.js'

/** The reads that send the API key, each named as /status and the log name it (docs/configuration.md, "Credentials"). */
export type KeyedRead = 'rebalance_status' | 'global_status' | 'cluster' | 'metrics'

/** EMQX refused the key on one read: where, with what status, and what to fix. Never holds the key or the secret. */
export interface KeyRefusal {
  readonly read: KeyedRead
  readonly path: string
  readonly status: 401 | 403
  readonly fix: string
}

/**
 * The scope each read needs on EMQX 6.0.3+, 6.1.2+ (`scopes/0` of emqx_node_rebalance_api.erl, emqx_mgmt_api_cluster.erl,
 * emqx_mgmt_api_metrics.erl).
 */
const SCOPES: Readonly<Record<KeyedRead, string>> = {
  rebalance_status: 'cluster_operations',
  global_status: 'cluster_operations',
  cluster: 'cluster_operations',
  metrics: 'monitoring',
}

/**
 * A refusal for a 401/403 answer on `read`, undefined for any other status. `prometheus`: the read went to
 * /api/v5/prometheus/stats, whose 401 means `prometheus.enable_basic_auth` (the default from EMQX 6.3).
 */
export function keyRefusal (
  read: KeyedRead,
  path: string,
  status: number,
  o: { version: ApiVersion, withKey: boolean, prometheus?: boolean }
): KeyRefusal | undefined {
  if (status !== 401 && status !== 403) return undefined
  const fix = status === 403
    ? o.version === 'v5'
      ? `the API key lacks the ${SCOPES[read]} scope (EMQX 6.0.3+, 6.1.2+): add it to the key`
      : 'EMQX 4.4 refused the AppID on this path: check its permissions'
    : !o.withKey
        ? o.prometheus === true
          ? `prometheus.enable_basic_auth is on (the default from EMQX 6.3): set an API key with the monitoring scope (${CREDENTIALS_HINT})`
          : `no API credentials configured: set ${CREDENTIALS_HINT}`
        : o.version === 'v5'
          ? 'EMQX rejected the API key or its secret (BAD_API_KEY_OR_SECRET): check both, and that the key is enabled and not expired'
          : 'EMQX 4.4 rejected the AppID or AppSecret: check both (they are the management API\'s, port 8081, not a dashboard user)'
  return { read, path, status, fix }
}

/** One line for /status and the log. */
export function refusalText (r: KeyRefusal): string {
  return `EMQX answered ${r.status} on GET ${r.path} (${r.read}): ${r.fix}`
}

/**
 * The refusals now standing, one per read. A read that answered is cleared; a read that got no answer
 * (a timeout, a 5xx) leaves what was known. `onChange` hears every change, never a repeat of the same one.
 */
export class KeyRefusals {
  readonly #by = new Map<KeyedRead, KeyRefusal>()
  readonly #listeners: Array<(now: readonly KeyRefusal[], read: KeyedRead, before: KeyRefusal | undefined) => void> = []

  get current (): readonly KeyRefusal[] { return [...this.#by.values()] }

  onChange (fn: (now: readonly KeyRefusal[], read: KeyedRead, before: KeyRefusal | undefined) => void): void { this.#listeners.push(fn) }

  /** `refusal`: the read was refused; `null`: the read was answered with the key accepted. */
  note (read: KeyedRead, refusal: KeyRefusal | null): void {
    const before = this.#by.get(read)
    if (refusal === null ? before === undefined : before?.status === refusal.status && before.path === refusal.path) return
    if (refusal === null) this.#by.delete(read)
    else this.#by.set(read, refusal)
    const now = this.current
    // a reader that throws must not fail the read that noticed the change (the store isolates its own listeners too)
    for (const fn of this.#listeners) { try { fn(now, read, before) } catch {} }
  }
}
