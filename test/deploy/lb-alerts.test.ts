import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml, stringify } from 'yaml'
import { requireBinary } from '../support/components.js'

/**
 * The load-balancer alerts (nginx-sync, a dead sidecar behind HAProxy's agent-check) under `promtool test rules`:
 * each fires on the series that mean trouble, after its `for`, and stays quiet on the healthy ones.
 * test/deploy/grafana.test.ts checks that the metrics and labels they read really exist.
 */
const ALERTS = fileURLToPath(new URL('../../deploy/grafana/alerts.yaml', import.meta.url))
interface Rule { alert: string, annotations: Record<string, string>, labels: Record<string, string> }
const rules = new Map((parseYaml(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ name: string, rules: Rule[] }> })
  .groups.find((g) => g.name === 'emqx-lb-sidecar-load-balancers')?.rules.map((r) => [r.alert, r]) ?? [])

/** what the alert looks like when it fires for a series with these labels (annotations templated like Prometheus does) */
function firing (alert: string, labels: Record<string, string>): { exp_labels: Record<string, string>, exp_annotations: Record<string, string> } {
  const r = rules.get(alert)
  if (r === undefined) throw new Error(`no alert ${alert} in the emqx-lb-sidecar-load-balancers group`)
  const fill = (s: string): string => s.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: string) => labels[k] ?? '')
  return { exp_labels: { ...labels, ...r.labels }, exp_annotations: Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, fill(v)])) }
}

interface Case { alert: string, series: Array<[string, string]>, at: string, fires?: Record<string, string> }
const S = 'emqx_lb_sidecar_nginx_sync_'
const cases: Case[] = [
  { alert: 'EmqxNginxSyncUpdateFailing', series: [[`${S}updates_total{result="check_failed",instance="n1"}`, '0 0 1 1 1 1'], [`${S}updates_total{result="ok",instance="n1"}`, '0 1 2 3 4 5']], at: '1m', fires: { result: 'check_failed', instance: 'n1' } },
  { alert: 'EmqxNginxSyncUpdateFailing', series: [[`${S}updates_total{result="ok",instance="n1"}`, '0 1 2 3 4 5'], [`${S}updates_total{result="check_failed",instance="n1"}`, '0x5']], at: '1m' },
  { alert: 'EmqxNginxSyncChangeStuck', series: [[`${S}pending_change{instance="n1"}`, '1x20']], at: '3m', fires: { instance: 'n1' } },
  // settling and the 5 s minimum reload interval keep a change pending for seconds, never minutes
  { alert: 'EmqxNginxSyncChangeStuck', series: [[`${S}pending_change{instance="n1"}`, '1 1 0 1 0 1 1 0 1 0 0 0 1 0']], at: '3m' },
  { alert: 'EmqxNginxSyncFailSafe', series: [[`${S}failsafe{instance="n1"}`, '0 1x10']], at: '2m', fires: { instance: 'n1' } },
  { alert: 'EmqxNginxSyncFailSafe', series: [[`${S}failsafe{instance="n1"}`, '0 1 1 0 0 0 0 0 0 0']], at: '2m' },
  // written at t=0 and never again
  { alert: 'EmqxNginxSyncStateStale', series: [[`${S}state_written_timestamp_seconds{instance="n1"}`, '0x20']], at: '3m', fires: { instance: 'n1' } },
  // rewritten every poll: the value follows the clock
  { alert: 'EmqxNginxSyncStateStale', series: [[`${S}state_written_timestamp_seconds{instance="n1"}`, '0+15x20']], at: '3m' },
  { alert: 'EmqxNginxSyncDown', series: [['up{job="emqx-lb-nginx-sync",instance="n1"}', '1 0x10']], at: '2m', fires: { job: 'emqx-lb-nginx-sync', instance: 'n1' } },
  { alert: 'EmqxLbSidecarDownHaproxyAgentFrozen', series: [['up{job="emqx-lb-sidecar",instance="emqx2"}', '1 1 0 0 0 0']], at: '1m', fires: { job: 'emqx-lb-sidecar', instance: 'emqx2' } },
  { alert: 'EmqxLbSidecarDownHaproxyAgentFrozen', series: [['up{job="emqx-lb-sidecar",instance="emqx2"}', '1 1 0 1 1 1']], at: '1m' },
]

t.test('every load-balancer alert is covered here', async (t) => {
  t.same([...rules.keys()].sort(), [...new Set(cases.map((c) => c.alert))].sort())
})

t.test('promtool test rules: the load-balancer alerts fire when they should and only then', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus')
  if (promtool === undefined) return
  const file = join(t.testdir(), 'lb-alerts.test.yaml')
  writeFileSync(file, stringify({
    rule_files: [ALERTS],
    evaluation_interval: '15s',
    tests: cases.map((c) => ({
      interval: '15s',
      input_series: c.series.map(([series, values]) => ({ series, values })),
      alert_rule_test: [{ eval_time: c.at, alertname: c.alert, exp_alerts: c.fires !== undefined ? [firing(c.alert, c.fires)] : [] }],
    })),
  }))
  const r = spawnSync(promtool, ['test', 'rules', file], { encoding: 'utf8' })
  t.equal(r.status, 0, r.stdout + r.stderr)
  t.match(r.stdout, /SUCCESS/)
})
