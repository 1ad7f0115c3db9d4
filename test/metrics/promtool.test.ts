import t from 'tap'
import { spawnSync } from 'node:child_process'
import { request } from 'undici'
import { requireBinary } from '../support/components.js'
import { startDouble } from '../support/emqx-double.js'
import { startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

t.test('a live /metrics scrape passes promtool check metrics, draining with rebalance stats', async (t) => {
  const promtool = requireBinary(t, 'promtool', 'prometheus')
  if (promtool === undefined) return
  const sim = await startDouble(t, { profile: 'v5', connections: 500 })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--cluster-interval', '100ms', '--checker-metrics-per-source', '--shutdown-delay', '0s'],
    { SIDECAR_EMQX_USERNAME: 'admin', SIDECAR_EMQX_PASSWORD: 'public' })
  sim.startEvacuation()
  await (await request(`${sc.url}/availability`)).body.dump()
  const scrape = async (): Promise<string> => await (await request(`${sc.url}/metrics`)).body.text()
  const text = await waitFor(scrape, (m) => /emqx_lb_sidecar_rebalance_connections\{stat="initial_connected"\} 500/.test(m) && /cluster_evacuation_connections/.test(m),
    { what: 'rebalance stats and cluster view in /metrics', timeoutMs: 5000 })
  const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' })
  t.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`)
  t.equal((r.stdout + r.stderr).trim(), '', 'no lint findings')
  t.match(text, /emqx_lb_sidecar_state\{state="draining"\} 1/)
  t.match(text, /emqx_lb_sidecar_rebalance_enabled\{process="evacuation",rebalance_state="waiting_health_check"\} 1/)
  t.match(text, /emqx_lb_sidecar_emqx_api_info\{api_version="v5",mode="rebalance"\} 1/)
  t.match(text, /emqx_lb_sidecar_checker_told\{source="127\.0\.0\.1",kind="http"\} 0/)
  t.notMatch(text, /public/, 'no secret in metrics')
})
