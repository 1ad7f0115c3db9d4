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
}

const pad = (s: string | number, n: number): string => String(s).padEnd(n)

/** The demo's screen as plain text (pure, so tests can read it and non-terminals can log it). */
export function renderScreen (o: { mqttPort: number, configName: string, rows: readonly NodeRow[], selected: number, connected: number, total: number, message: string }): string {
  const lines = [
    `emqx-lb-sidecar demo: MQTT through HAProxy on 127.0.0.1:${o.mqttPort} (haproxy/${o.configName}); ${o.connected}/${o.total} demo clients connected`,
    '',
    `  ${pad('node', 7)}${pad('EMQX process', 30)}${pad('avail.', 8)}${pad('sidecar', 10)}${pad('agent reply', 14)}${pad('HAProxy', 16)}${pad('clients', 8)}`,
    ...o.rows.map((r, i) => `${i === o.selected ? '>' : ' '} ${pad(r.name, 7)}${pad(r.process, 30)}${pad(r.availability, 8)}${pad(r.sidecar, 10)}${pad(r.agent, 14)}${pad(r.lb?.status ?? '?', 16)}${pad(r.brokerClients, 8)}`),
    '',
    `keys: 1-${o.rows.length} select node, e evacuate, d rebalance donor, r restore, s stop EMQX, a start EMQX, q quit`,
    o.message,
  ]
  return lines.join('\n') + '\n'
}
