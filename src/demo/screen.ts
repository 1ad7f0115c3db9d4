import type { ServerStat } from './haproxy.js'

/** One row of the demo's table; gathered by the demo command, rendered here. */
export interface NodeRow {
  readonly name: string
  readonly process: string
  readonly availability: number
  readonly sidecar: string
  readonly agent: string
  readonly lb: ServerStat | undefined
  readonly brokerClients: number
  /** the sidecar's membership (--expect-cluster-size): `3/3`, `1/3 OUT`, or `-` */
  readonly cluster?: string
  /** the sidecar's live page (GET /ui) */
  readonly page?: string
}

const pad = (s: string | number, n: number): string => String(s).padEnd(n)

const HEADERS = ['node', 'EMQX process', 'avail.', 'sidecar', 'agent reply', 'HAProxy', 'clients', 'cluster view'] as const

/** The demo's screen as plain text (pure, so tests can read it and non-terminals can log it). */
export function renderScreen (o: {
  mqttPort: number
  configName: string
  rows: readonly NodeRow[]
  selected: number
  connected: number
  total: number
  message: string
}): string {
  const cells = o.rows.map((r) => [
    r.name, r.process, String(r.availability), r.sidecar, r.agent, r.lb?.status ?? '?', String(r.brokerClients), r.cluster ?? '-',
  ])
  // each column as wide as its longest cell plus two spaces: `rebalance recipient: waiting_health_check` must not run into the next one
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)) + 2)
  const row = (c: readonly string[]): string => c.map((v, i) => pad(v, widths[i] ?? 0)).join('').trimEnd()
  const lines = [
    `emqx-lb-sidecar demo: MQTT through HAProxy on 127.0.0.1:${o.mqttPort} (haproxy/${o.configName}); ` +
      `${o.connected}/${o.total} demo clients connected`,
    '',
    `  ${row(HEADERS)}`,
    ...cells.map((c, i) => `${i === o.selected ? '>' : ' '} ${row(c)}`),
    '',
    ...pages(o.rows),
    `keys: 1-${o.rows.length} select node, e evacuate, d rebalance donor, r restore, s stop EMQX, a start EMQX, ` +
      'c cut off from the cluster, j rejoin, q quit',
    o.message,
  ]
  return lines.join('\n') + '\n'
}

/** One line with each node's live page, when known, and an empty line after it. */
function pages (rows: readonly NodeRow[]): string[] {
  const known = rows.filter((r) => r.page !== undefined)
  return known.length === 0 ? [] : [`live pages: ${known.map((r) => `${r.name} ${r.page ?? ''}`).join('  ')}`, '']
}
