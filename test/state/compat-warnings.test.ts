import t from 'tap'
import { spawnSync } from 'node:child_process'
import { ignoredSettingWarning } from '../../src/state/compat-warnings.js'
import { initialSnapshot } from '../../src/state/transition.js'
import type { EvacuationSettings } from '../../src/config/serve-types.js'
import { startDouble } from '../support/emqx-double.js'
import { CLI, startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

const settings: EvacuationSettings = { waitHealthCheckS: 10, connEvictRate: 1, sessEvictRate: 1, waitTakeoverS: 10, redirectTo: 'mqtt.example:1883', migrateTo: [] }
const base = initialSnapshot(0)
const at = (version: 'v4' | 'v5', mode: 'rebalance' | 'node_status' = 'rebalance') => ({ ...base, api: { version, mode, base: new URL('http://127.0.0.1:1') } })

t.test('redirect_to: a warning for EMQX 5.x (its HTTP API ignores it), none for 4.4 or when unset', async (t) => {
  t.match(ignoredSettingWarning(at('v5'), settings), /EMQX 5\.x ignores redirect_to/)
  t.equal(ignoredSettingWarning(at('v4'), settings), undefined, '4.4 honours it')
  t.equal(ignoredSettingWarning(at('v5'), { ...settings, redirectTo: undefined }), undefined)
  t.equal(ignoredSettingWarning(at('v5', 'node_status'), settings), undefined, 'no rebalance API: nothing to evacuate anyway')
  t.equal(ignoredSettingWarning(base, settings), undefined, 'not detected yet')
})

t.test('the sidecar warns at start when --evacuation-redirect-to is set for a 5.x node; --help says so', async (t) => {
  await import('node:fs/promises').then(async (fs) => await fs.access(CLI)).catch(() => { throw new Error('dist/ missing: run npm run build') })
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout
  t.match(help.replace(/\s+/g, ' '), /--evacuation-redirect-to.*honoured by EMQX 4\.4 only: EMQX 5\.x's HTTP API accepts and ignores it/)
  const sim = await startDouble(t, { profile: 'v5' })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--evacuation-redirect-to', 'mqtt.example:1883'])
  const line = await sc.waitForLog((l) => l.code === 'emqx_redirect_to_ignored', 5000, 'redirect_to warning')
  t.equal(line.level, 'warn')
  await sc.waitForLog((l) => l.msg.startsWith('node is up'), 5000, 'up')
  t.equal(sc.logs.filter((l) => l.code === 'emqx_redirect_to_ignored').length, 1, 'once')
})

t.test('open-source 4.4 without credentials: /status and the log say "credentials needed, or open-source", once', async (t) => {
  const sim = await startDouble(t, { profile: 'oss-v4.4' })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '50ms', '--failure-threshold', '1'])
  const line = await sc.waitForLog((l) => l.msg.startsWith('configuration error'), 5000, 'auth error logged')
  t.match(line, { level: 'error', msg: /credentials needed, or open-source EMQX/ })
  const status = await (await fetch(`${sc.url}/status`)).json() as { state: string, reason: string, message: string }
  t.match(status, { state: 'down', reason: 'emqx_auth', message: /credentials needed, or open-source EMQX/ })
  const checks = sim.count('/api/v4/load_rebalance/availability_check')
  await waitFor(() => sim.count('/api/v4/load_rebalance/availability_check'), (n) => n >= checks + 5, { timeoutMs: 5000, what: 'five more checks' })
  t.equal(sc.logs.filter((l) => l.msg.startsWith('configuration error')).length, 1, 'logged once, no loop')
})
