import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { parse as parseYaml, stringify } from 'yaml'
import { requireBinary } from '../support/components.js'
import { startDouble } from '../support/emqx-double.js'
import { parseExposition, parsePromql } from '../support/promql.js'
import { startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

/**
 * deploy/grafana: the alert rules pass `promtool check rules`; every dashboard query parses (promtool,
 * as recording rules) and, like every alert, only uses metric names, labels and label values that a live
 * sidecar really exports (scraped here from sidecars against the EMQX simulator while it evacuates, and
 * against open-source EMQX for the fallback mode).
 */
const GRAFANA = fileURLToPath(new URL('../../deploy/grafana/', import.meta.url))
const ALERTS = join(GRAFANA, 'alerts.yaml')

interface Panel { id: number, type: string, title: string, datasource?: { uid?: string }, targets?: Array<{ expr?: string }>, panels?: Panel[] }
interface Dashboard {
  uid: string
  panels: Panel[]
  templating: { list: Array<{ name: string, type: string, definition?: string }> }
  annotations: { list: Array<{ expr?: string }> }
}
const dashboard = JSON.parse(readFileSync(join(GRAFANA, 'emqx-lb-sidecar-dashboard.json'), 'utf8')) as Dashboard
const panels = dashboard.panels.flatMap((p) => [p, ...p.panels ?? []])
const dashboardExprs = [
  ...panels.flatMap((p) => (p.targets ?? []).map((q) => ({ where: `panel "${p.title}"`, expr: q.expr ?? '' }))),
  ...dashboard.annotations.list.filter((a) => a.expr !== undefined).map((a) => ({ where: 'annotation', expr: a.expr as string })),
]
const alertRules = (parseYaml(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string, expr: string }> }> })
  .groups.flatMap((g) => g.rules).map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))

/** Grafana's variables, replaced by values Prometheus accepts */
const grafanaFree = (expr: string): string => expr.replace(/\$__rate_interval|\$__interval/g, '1m').replace(/\$pod/g, '.*')
/** labels Prometheus attaches to every scraped series (target labels), not the sidecar */
const TARGET_LABELS = new Set(['pod', 'instance', 'job', 'namespace', 'container', 'service', 'endpoint'])
/** series Prometheus itself produces */
const PROMETHEUS_SERIES = new Set(['up'])

t.test('alert rules pass promtool check rules', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus')
  if (promtool === undefined) return
  const r = spawnSync(promtool, ['check', 'rules', ALERTS], { encoding: 'utf8' })
  t.equal(r.status, 0, r.stdout + r.stderr)
  t.match(r.stdout, `SUCCESS: ${alertRules.length} rules found`)
})

t.test('every dashboard query is valid PromQL (promtool, as recording rules)', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus')
  if (promtool === undefined) return
  const file = join(t.testdir(), 'dashboard-rules.yaml')
  writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: dashboardExprs.map((q, i) => ({ record: `dashboard:query_${i}`, expr: grafanaFree(q.expr) })) }] }))
  const r = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8' })
  t.equal(r.status, 0, r.stdout + r.stderr)
  t.ok(dashboardExprs.length >= 12, `${dashboardExprs.length} queries checked`)
})

t.test('dashboard structure: unique ids, one datasource variable, a pod variable from a real metric', async (t) => {
  const ids = panels.map((p) => p.id)
  t.equal(new Set(ids).size, ids.length, 'unique panel ids')
  t.equal(dashboard.uid, 'emqx-lb-sidecar')
  // eslint-disable-next-line no-template-curly-in-string -- Grafana's own variable syntax, meant literally
  for (const p of panels.filter((x) => x.type !== 'row')) t.equal(p.datasource?.uid, '${datasource}', `${p.title}: uses the datasource variable`)
  t.ok(dashboard.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'))
  t.match(dashboard.templating.list.find((v) => v.name === 'pod')?.definition, /^label_values\(emqx_lb_sidecar_build_info, pod\)$/)
  const used = new Set(dashboardExprs.flatMap((q) => parsePromql(q.expr).selectors.map((s) => s.metric)))
  // what the issue asks the dashboard to show
  for (const m of ['emqx_lb_sidecar_available', 'emqx_lb_sidecar_state', 'emqx_lb_sidecar_state_transitions_total', 'emqx_lb_sidecar_rebalance_connections',
    'emqx_lb_sidecar_rebalance_sessions', 'emqx_lb_sidecar_probes_total', 'emqx_lb_sidecar_emqx_check_duration_seconds_bucket']) {
    t.ok(used.has(m), `dashboard shows ${m}`)
  }
  // issue 25: the arrival evidence, CONNECTs while draining by phase and the last one
  for (const m of ['emqx_lb_sidecar_connects_while_draining_total', 'emqx_lb_sidecar_connect_last_arrival_while_draining_timestamp_seconds']) {
    t.ok(used.has(m), `dashboard shows ${m}`)
  }
})

t.test('dashboard and alerts only use metrics, labels and label values a live sidecar exports', async (t) => {
  const scrape = async (url: string): Promise<string> => await (await request(`${url}/metrics`)).body.text()
  const sim = await startDouble(t, { profile: 'v5', connections: 300 })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--cluster-interval', '100ms', '--checker-fall', '1', '--shutdown-delay', '0s'],
    { SIDECAR_EMQX_USERNAME: 'admin', SIDECAR_EMQX_PASSWORD: 'public' })
  // act as a load-balancer checker, so the checker and drain-acknowledgement series have values
  const probe = async (): Promise<number> => { const r = await request(`${sc.url}/readyz`); await r.body.dump(); return r.statusCode }
  await waitFor(probe, (s) => s === 200, { what: 'sidecar up', timeoutMs: 5000 })
  for (let i = 0; i < 3; i++) { await probe(); await new Promise((resolve) => setTimeout(resolve, 50)) }
  sim.startEvacuation()
  await waitFor(probe, (s) => s === 503, { what: 'checker sees the drain', timeoutMs: 5000, intervalMs: 50 })
  const draining = await waitFor(async () => await scrape(sc.url), (m) => /emqx_lb_sidecar_rebalance_sessions\{stat="current_sessions"\}/.test(m) &&
    /emqx_lb_sidecar_drain_acknowledged_after_seconds \d/.test(m) && /emqx_lb_sidecar_cluster_evacuation_connections\{node=/.test(m),
  { what: 'draining with rebalance stats, an acknowledged drain and the cluster view', timeoutMs: 5000 })
  // open-source EMQX without the rebalance API: the fallback mode the DrainDetectionUnavailable alert watches
  const oss = await startDouble(t, { profile: 'oss' })
  const sc2 = await startSidecar(t, ['--emqx-url', oss.url, '--poll-interval', '100ms', '--shutdown-delay', '0s'])
  const fallback = await waitFor(async () => await scrape(sc2.url), (m) => /mode="node_status"/.test(m), { what: 'node_status mode', timeoutMs: 5000 })
  // nginx-sync in njs mode (its series are a superset of the reload mode's), for the load-balancer alerts
  const sync = await startSidecar(t, ['--nodes', `127.0.0.1:1883 ${sc.url}`, '--njs-state', join(t.testdir(), 'state.json'), '--poll-interval', '200ms', '--probe-timeout', '500ms'], {}, ['nginx-sync'])
  const syncMetrics = await waitFor(async () => await scrape(sync.url), (m) => /^emqx_lb_sidecar_nginx_sync_state_written_timestamp_seconds [1-9]/m.test(m), { what: 'nginx-sync wrote its state', timeoutMs: 5000 })

  const live = parseExposition(draining)
  for (const [name, labels] of [...parseExposition(fallback), ...parseExposition(syncMetrics)]) {
    const l = live.get(name) ?? new Map<string, Set<string>>()
    for (const [k, vals] of labels) l.set(k, new Set([...l.get(k) ?? [], ...vals]))
    live.set(name, l)
  }
  t.ok(live.size > 20, `${live.size} metric names scraped`)
  // a label value an alert matches by regex must occur too
  for (const v of ['check_failed', 'write_failed', 'reload_failed']) t.ok(live.get('emqx_lb_sidecar_nginx_sync_updates_total')?.get('result')?.has(v), `nginx-sync exports updates_total{result="${v}"}`)

  for (const { where, expr } of [...dashboardExprs, ...alertRules]) {
    const { selectors, groupingLabels } = parsePromql(expr)
    t.ok(selectors.length > 0, `${where}: reads at least one metric`)
    const names = new Set<string>()
    for (const s of selectors) {
      if (PROMETHEUS_SERIES.has(s.metric)) continue
      const labels = live.get(s.metric)
      if (labels === undefined) { t.fail(`${where}: ${s.metric} is not exported by the sidecar`); continue }
      for (const l of labels.keys()) names.add(l)
      for (const m of s.matchers) {
        if (TARGET_LABELS.has(m.label)) continue
        t.ok(labels.has(m.label), `${where}: ${s.metric} has label ${m.label}`)
        if (m.op === '=') t.ok(labels.get(m.label)?.has(m.value), `${where}: ${s.metric}{${m.label}="${m.value}"} occurs`)
      }
    }
    for (const g of groupingLabels) {
      if (TARGET_LABELS.has(g) || g === 'le') continue
      t.ok(names.has(g), `${where}: grouping label ${g} exists on the metrics it reads`)
    }
  }
  const template = dashboard.templating.list.find((v) => v.name === 'pod')?.definition ?? ''
  t.ok(live.has(/label_values\((\w+)/.exec(template)?.[1] ?? ''), 'the pod variable reads an exported metric')
})
