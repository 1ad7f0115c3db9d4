import t from 'tap'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { ConfigError } from '../../src/errors.js'
import { runCli } from '../support/sidecar-proc.js'

const CREDS = ['--emqx-username', 'admin', '--emqx-password', 'public']
const problems = (args: string[]): readonly string[] => {
  try { loadServeConfig(args, {}); return [] } catch (err) { return err instanceof ConfigError ? err.problems : [String(err)] }
}

t.test('--expect-cluster-size and --agent-ramp: off by default', async (t) => {
  const { config } = loadServeConfig([], {})
  t.equal(config.cluster.expectSize, 0)
  t.equal(config.agentRampMs, 0)
  const on = loadServeConfig([...CREDS, '--expect-cluster-size', '3', '--agent-ramp', '20s'], {}).config
  t.same([on.cluster.expectSize, on.agentRampMs], [3, 20_000])
  t.equal(loadServeConfig([], { SIDECAR_EXPECT_CLUSTER_SIZE: '5', SIDECAR_EMQX_USERNAME: 'a', SIDECAR_EMQX_PASSWORD: 'b' }).config.cluster.expectSize, 5)
})

t.test('all or nothing: membership without credentials or without cluster reads, a ramp without the agent, are refused together', async (t) => {
  const p = problems(['--expect-cluster-size', '3', '--cluster-interval', '0', '--agent-ramp', '20s', '--agent-port', '0'])
  t.match(p, [
    /--expect-cluster-size 3 needs EMQX credentials .*GET \/api\/v5\/cluster/,
    /--expect-cluster-size 3 needs the cluster view read: --cluster-interval is 0/,
    /--agent-ramp is set but the agent-check listener is off/,
  ])
  t.same(problems([...CREDS, '--expect-cluster-size', '3']), [], 'with credentials: fine')
  t.match(problems(['--agent-ramp', '20']), [/--agent-ramp/], 'a duration needs its unit')
})

t.test('two nodes start with a loud warning naming the risk', async (t) => {
  const { parsed } = loadServeConfig([...CREDS, '--expect-cluster-size', '2'], {})
  t.match(parsed.warnings, [/--expect-cluster-size 2: .*survivor of a peer's stop or restart drains too/])
  t.same(loadServeConfig([...CREDS, '--expect-cluster-size', '3'], {}).parsed.warnings, [])
})

t.test('the built binary exits 2 naming the setting, with no stack trace', async (t) => {
  const r = await runCli(['--expect-cluster-size', '3', '--check-config'])
  t.equal(r.code, 2)
  t.match(r.stderr, /--expect-cluster-size 3 needs EMQX credentials/)
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
})
