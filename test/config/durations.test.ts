import t from 'tap'
import { demoOptions } from '../../src/commands/demo-options.js'
import { nginxSyncOptions } from '../../src/commands/nginx-sync-options.js'
import { simulateOptions } from '../../src/commands/simulate-options.js'
import { statusOptions } from '../../src/commands/status-options.js'
import { serveOptions } from '../../src/config/options.js'
import { envOf, type OptionSpec } from '../../src/config/table.js'
import { parseOptions } from '../../src/config/parse.js'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { parseDuration } from '../../src/duration.js'
import type { ConfigError } from '../../src/errors.js'

// One rule for every duration option of every command, flag and variable alike: a unit is required.
const TABLES: Array<[string, readonly OptionSpec[]]> = [
  ['serve', serveOptions], ['nginx-sync', nginxSyncOptions], ['simulate', simulateOptions], ['demo', demoOptions], ['status', statusOptions],
]
const durations = TABLES.flatMap(([command, table]) => table.filter((o) => o.kind === 'duration').map((o) => [command, o] as const))

t.test('the scan sees the duration options', async (t) => {
  t.ok(durations.length >= 15, `${durations.length} duration options`)
  t.ok(durations.some(([c]) => c === 'demo') && durations.some(([c]) => c === 'status') && durations.some(([c]) => c === 'nginx-sync'))
})

t.test('every default of a duration option has a unit', async (t) => {
  for (const [command, o] of durations) {
    t.ok(o.default === undefined || (parseDuration(o.default) !== undefined && /[a-z]$/.test(o.default)), `${command} --${o.flag} default ${o.default ?? '-'}`)
  }
})

t.test('a bare number is refused for every duration option, as a flag and as a variable, naming it and the rule', async (t) => {
  for (const [command, o] of durations) {
    const byFlag = parseOptions([o], [`--${o.flag}`, '60'], {})
    t.same(byFlag.problems, [`--${o.flag}: "60" has no unit: write 60s or 60ms (every duration needs a unit)`], `${command} --${o.flag}`)
    const byEnv = parseOptions([o], [], { [envOf(o)]: '60' })
    t.same(byEnv.problems, [`${envOf(o)}: "60" has no unit: write 60s or 60ms (every duration needs a unit)`], `${command} ${envOf(o)}`)
    t.same(parseOptions([o], [`--${o.flag}=60s`], {}).problems, [], `${command} --${o.flag}=60s`)
  }
})

t.test('the issue\'s example: --poll-interval 60 --shutdown-delay 10 is one problem each, and --wait-health-check 60 says why', async (t) => {
  const err = t.throws(() => loadServeConfig(['--poll-interval', '60', '--shutdown-delay', '10', '--wait-health-check', '60'], {})) as ConfigError
  t.same([...err.problems].sort(), [
    '--poll-interval: "60" has no unit: write 60s or 60ms (every duration needs a unit)',
    '--shutdown-delay: "10" has no unit: write 10s or 10ms (every duration needs a unit)',
    '--wait-health-check: "60" has no unit: write 60s or 60ms (every duration needs a unit)',
  ], 'no second problem (whole seconds) from a value that was refused')
})

t.test('0 needs no unit (zero is zero in every unit)', async (t) => {
  const { config } = loadServeConfig(['--cluster-interval', '0', '--shutdown-delay', '0'], {})
  t.equal(config.cluster.intervalMs, 0)
  t.equal(config.shutdownDelayMs, 0)
})
