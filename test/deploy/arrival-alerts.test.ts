import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml, stringify } from 'yaml'
import { requireBinary } from '../support/components.js'

/**
 * The arrival-evidence alerts (EMQX's CONNECT counter, docs/graceful-shutdown.md#arrival-evidence) under
 * `promtool test rules`, in the style of ./lb-alerts.test.ts: each fires on the series that mean trouble, after its
 * `for`, and stays quiet on the healthy ones. ./grafana.test.ts checks that the metrics and labels they read exist.
 */
const ALERTS = fileURLToPath(new URL('../../deploy/grafana/alerts.yaml', import.meta.url))
interface Rule { alert: string, annotations: Record<string, string>, labels: Record<string, string> }
const ARRIVAL_ALERTS = ['EmqxConnectsWhileEvicting', 'EmqxConnectCounterUnreadable']
const rules = new Map((parseYaml(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ name: string, rules: Rule[] }> })
  .groups.flatMap((g) => g.rules).filter((r) => ARRIVAL_ALERTS.includes(r.alert)).map((r) => [r.alert, r]))

/** what the alert looks like when it fires for a series with these labels (annotations templated like Prometheus does) */
function firing (alert: string, labels: Record<string, string>): { exp_labels: Record<string, string>, exp_annotations: Record<string, string> } {
  const r = rules.get(alert)
  if (r === undefined) throw new Error(`no alert ${alert} in ${ALERTS}`)
  const fill = (s: string): string => s.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: string) => labels[k] ?? '')
  return { exp_labels: { ...labels, ...r.labels }, exp_annotations: Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, fill(v)])) }
}

interface Case { what: string, alert: string, series: Array<[string, string]>, at: string, fires?: Record<string, string> }
const P = 'emqx_lb_sidecar_'
const node = 'instance="n1",pod="emqx-0"'
const evicting = `${P}connects_while_draining_total{phase="evicting",${node}}`
const beforeEviction = `${P}connects_while_draining_total{phase="before_eviction",${node}}`
const readable = `${P}connect_evidence_readable{${node}}`
const draining = `${P}state{state="draining",${node}}`
const cases: Case[] = [
  { what: 'CONNECTs after eviction began', alert: 'EmqxConnectsWhileEvicting', series: [[evicting, '0 0 0 3 3 3'], [beforeEviction, '0 20 40 40 40 40']], at: '1m', fires: { phase: 'evicting', instance: 'n1', pod: 'emqx-0' } },
  { what: 'CONNECTs before eviction only (the wait for the load balancers)', alert: 'EmqxConnectsWhileEvicting', series: [[evicting, '0x10'], [beforeEviction, '0 20 40 60 60 60 60 60 60 60 60']], at: '2m' },
  { what: 'over 5 minutes after the last one', alert: 'EmqxConnectsWhileEvicting', series: [[evicting, '0 3 3x40']], at: '7m' },
  { what: 'a restarted sidecar (the counter back to 0) is no arrival', alert: 'EmqxConnectsWhileEvicting', series: [[evicting, '5 5 5 0 0 0 0 0']], at: '1m30s' },
  { what: 'unreadable through a drain', alert: 'EmqxConnectCounterUnreadable', series: [[readable, '0x10'], [draining, '0 1x10']], at: '2m', fires: { instance: 'n1', pod: 'emqx-0' } },
  { what: 'unreadable, not draining (4.4 without credentials while up)', alert: 'EmqxConnectCounterUnreadable', series: [[readable, '0x10'], [draining, '0x10']], at: '2m' },
  { what: 'readable through a drain', alert: 'EmqxConnectCounterUnreadable', series: [[readable, '1x10'], [draining, '0 1x10']], at: '2m' },
  { what: 'one failed read in a drain', alert: 'EmqxConnectCounterUnreadable', series: [[readable, '1 1 0 1 1 0 1 1 1 1 1'], [draining, '0 1x10']], at: '2m' },
  { what: 'unreadable for under a minute of drain', alert: 'EmqxConnectCounterUnreadable', series: [[readable, '0x10'], [draining, '0 0 0 0 0 1 1 1 1']], at: '2m' },
]

t.test('every arrival alert is in alerts.yaml and covered here', async (t) => {
  t.same([...rules.keys()].sort(), [...ARRIVAL_ALERTS].sort())
  t.same([...new Set(cases.map((c) => c.alert))].sort(), [...ARRIVAL_ALERTS].sort())
  for (const a of ARRIVAL_ALERTS) t.ok(cases.some((c) => c.alert === a && c.fires !== undefined) && cases.some((c) => c.alert === a && c.fires === undefined), `${a}: a firing and a quiet case`)
})

t.test('promtool test rules: the arrival alerts fire when they should and only then', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus')
  if (promtool === undefined) return
  const file = join(t.testdir(), 'arrival-alerts.test.yaml')
  writeFileSync(file, stringify({
    rule_files: [ALERTS],
    evaluation_interval: '15s',
    tests: cases.map((c) => ({
      name: c.what,
      interval: '15s',
      input_series: c.series.map(([series, values]) => ({ series, values })),
      alert_rule_test: [{ eval_time: c.at, alertname: c.alert, exp_alerts: c.fires !== undefined ? [firing(c.alert, c.fires)] : [] }],
    })),
  }))
  const r = spawnSync(promtool, ['test', 'rules', file], { encoding: 'utf8' })
  t.equal(r.status, 0, r.stdout + r.stderr)
  t.match(r.stdout, /SUCCESS/)
})
