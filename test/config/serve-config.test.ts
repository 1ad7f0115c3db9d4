import t from 'tap'
import { loadServeConfig, describeConfig } from '../../src/config/serve-config.js'
import { ConfigError } from '../../src/errors.js'

const noFiles = (p: string): string => { throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' }) }

t.test('defaults match the documented interface', async (t) => {
  const { config } = loadServeConfig([], {})
  t.equal(config.emqx.url.href, 'http://127.0.0.1:18083/')
  t.equal(config.emqx.urlExplicit, false)
  t.equal(config.emqx.apiVersion, 'auto')
  t.equal(config.host, '0.0.0.0')
  t.equal(config.port, 9183)
  t.equal(config.pollIntervalMs, 1000)
  t.equal(config.emqx.timeoutMs, 1000)
  t.equal(config.failureThreshold, 3)
  t.equal(config.logLevel, 'info')
  t.equal(config.agentPort, 9184)
  t.equal(config.agentHost, '0.0.0.0', 'agent host follows --host')
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.emqx), 'config is frozen')
})

t.test('v4 pins the 4.4 API port by default', async (t) => {
  t.equal(loadServeConfig(['--emqx-api-version', 'v4'], {}).config.emqx.url.href, 'http://127.0.0.1:8081/')
})

t.test('flags beat environment variables, which beat defaults', async (t) => {
  const { config } = loadServeConfig(['--port=9999', '--poll-interval', '250ms'], { SIDECAR_PORT: '8888', SIDECAR_EMQX_TIMEOUT: '2s', SIDECAR_HOST: '127.0.0.1' })
  t.equal(config.port, 9999)
  t.equal(config.pollIntervalMs, 250)
  t.equal(config.emqx.timeoutMs, 2000)
  t.equal(config.host, '127.0.0.1')
})

t.test('every problem is reported at once', async (t) => {
  const err = t.throws(() => loadServeConfig(
    ['--port', '70000', '--poll-interval', 'fast', '--bogus', 'x', '--emqx-api-version', 'v3'],
    { SIDECAR_EMQX_URL: 'ftp://x', SIDECAR_LOG_LEVEL: 'loud', SIDECAR_FAILURE_THRESHOLD: '0' })) as ConfigError
  t.ok(err instanceof ConfigError)
  t.equal(err.code, 'SIDECAR_ERR_CONFIG_INVALID')
  t.equal(err.problems.length, 7, err.message)
  t.match(err.message, /--port: "70000" is not a port/)
  t.match(err.message, /--poll-interval: "fast" is not a duration/)
  t.match(err.message, /unknown flag --bogus/)
  t.match(err.message, /--emqx-api-version: "v3" is not one of auto, v4, v5/)
  t.match(err.message, /SIDECAR_EMQX_URL: protocol ftp:/)
  t.match(err.message, /SIDECAR_LOG_LEVEL: "loud"/)
  t.match(err.message, /SIDECAR_FAILURE_THRESHOLD: 0 is below the minimum 1\b/)
})

t.test('credentials in the URL are refused without echoing them', async (t) => {
  const err = t.throws(() => loadServeConfig(['--emqx-url', 'http://key:s3cr3t@127.0.0.1:18083'], {})) as ConfigError
  t.match(err.message, /must not contain credentials/)
  t.notMatch(err.message, /s3cr3t/)
})

t.test('password comes from env, flag or a file read once; never printed', async (t) => {
  const reads: string[] = []
  const { config } = loadServeConfig([], { SIDECAR_EMQX_USERNAME: 'key', SIDECAR_EMQX_PASSWORD_FILE: '/run/secrets/p' },
    (p) => { reads.push(p); return 'file-secret\n' })
  t.same(reads, ['/run/secrets/p'])
  t.equal(config.emqx.password?.reveal(), 'file-secret', 'trailing newline trimmed')
  const shown = JSON.stringify(describeConfig(config))
  t.notMatch(shown, /file-secret/)
  t.match(shown, /\[REDACTED\]/)
  t.equal(`${String(config.emqx.password)}`, '[REDACTED]')
})

t.test('secret problems are explicit', async (t) => {
  let err = t.throws(() => loadServeConfig([], { SIDECAR_EMQX_USERNAME: 'key', SIDECAR_EMQX_PASSWORD_FILE: '/nope' }, noFiles)) as ConfigError
  t.match(err.message, /SIDECAR_EMQX_PASSWORD_FILE: cannot read \/nope \(ENOENT\)/)
  err = t.throws(() => loadServeConfig([], { SIDECAR_EMQX_PASSWORD: 'pw-in-env', SIDECAR_EMQX_PASSWORD_FILE: '/x' }, () => 'x')) as ConfigError
  t.match(err.message, /both set/)
  t.notMatch(err.message, /pw-in-env/)
  err = t.throws(() => loadServeConfig([], { SIDECAR_EMQX_PASSWORD: 'pw-in-env' })) as ConfigError
  t.match(err.message, /no --emqx-username/)
  t.notMatch(err.message, /pw-in-env/)
  err = t.throws(() => loadServeConfig(['--emqx-username', 'key'], {})) as ConfigError
  t.match(err.message, /no password/)
  err = t.throws(() => loadServeConfig([], { SIDECAR_EMQX_USERNAME: 'key', SIDECAR_EMQX_PASSWORD_FILE: '/empty' }, () => '\n')) as ConfigError
  t.match(err.message, /is empty/)
})

t.test('unknown SIDECAR_ variables warn, Kubernetes service links do not', async (t) => {
  const { parsed } = loadServeConfig([], { SIDECAR_POLL_INTERVALL: '1s', EMQX_PORT: 'tcp://10.0.0.1:1883', SIDECAR_SERVICE_HOST: '10.0.0.2' })
  t.same(parsed.warnings, ['unknown environment variable SIDECAR_POLL_INTERVALL ignored'])
})

t.test('--emqx-ca-file only makes sense for https', async (t) => {
  const err = t.throws(() => loadServeConfig(['--emqx-ca-file', '/ca.pem'], {})) as ConfigError
  t.match(err.message, /not https/)
  const pem = (): string => '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
  t.equal(loadServeConfig(['--emqx-ca-file', '/ca.pem', '--emqx-url', 'https://127.0.0.1:18084'], {}, pem).config.emqx.caFile, '/ca.pem')
})

t.test('an unreadable or non-PEM --emqx-ca-file is a configuration problem naming the flag', async (t) => {
  const https = ['--emqx-url', 'https://127.0.0.1:18084', '--emqx-ca-file', '/ca.pem']
  const missing = (): string => { throw Object.assign(new Error('nope'), { code: 'ENOENT' }) }
  const e1 = t.throws(() => loadServeConfig(https, {}, missing)) as ConfigError
  t.same(e1.problems, ['--emqx-ca-file: cannot read /ca.pem (ENOENT)'])
  const e2 = t.throws(() => loadServeConfig(https, {}, () => 'hello')) as ConfigError
  t.same(e2.problems, ['--emqx-ca-file: /ca.pem holds no PEM certificate'])
})

t.test('listeners that would share a port are refused, each pair naming both flags', async (t) => {
  const token = { SIDECAR_ADMIN_TOKEN: 'an-admin-token-of-24-chars' }
  const problems = (argv: string[]): readonly string[] => {
    try { loadServeConfig(argv, token); return [] } catch (err) { return (err as ConfigError).problems }
  }
  t.same(problems(['--port', '9000', '--agent-port', '9000']), ['--agent-port and --port both listen on 0.0.0.0:9000'])
  t.same(problems(['--host', '127.0.0.1', '--port', '9000', '--agent-port', '9000', '--admin-port', '9000']), [
    '--agent-port and --port both listen on 127.0.0.1:9000',
    '--admin-port and --port both listen on 127.0.0.1:9000',
    '--admin-port and --agent-port both listen on 127.0.0.1:9000',
  ], 'every clash at once')
  t.same(problems(['--port', '9000', '--agent-port', '9000', '--agent-host', '::']), ['--agent-port and --port both listen on port 9000 (0.0.0.0 and :: overlap)'], ':: is dual-stack')
  t.same(problems(['--host', '127.0.0.1', '--port', '9000', '--agent-port', '9000', '--agent-host', '127.0.0.2']), [], 'distinct addresses do not clash')
  t.same(problems(['--host', '::1', '--port', '9000', '--admin-port', '9000', '--admin-host', '0.0.0.0']), [], 'IPv4 wildcard and IPv6 loopback do not clash')
  t.same(problems(['--port', '0', '--agent-port', '0', '--admin-port', '0']), [], 'port 0 picks a free port: never a clash')
  t.same(problems(['--port', '9184']), ['--agent-port and --port both listen on 0.0.0.0:9184'], 'the default agent port counts')
})

t.test('actions are recognised', async (t) => {
  const { parsed } = loadServeConfig(['--check-config'], {})
  t.equal(parsed.actions.checkConfig, true)
  t.equal(loadServeConfig(['--help', '--port', 'bad'], {}).parsed.actions.help, true, '--help wins over bad values')
})

t.test('agent-check listener: own host, env var, 0 disables, bad port reported', async (t) => {
  t.equal(loadServeConfig(['--host', '127.0.0.1'], {}).config.agentHost, '127.0.0.1')
  const { config } = loadServeConfig(['--agent-host', '::1'], { SIDECAR_AGENT_PORT: '0' })
  t.equal(config.agentHost, '::1')
  t.equal(config.agentPort, 0)
  t.throws(() => loadServeConfig(['--agent-port', '99999'], {}), /--agent-port: "99999" is not a port/)
})

t.test('a duration out of range names its unit on both sides', async (t) => {
  const err = t.throws(() => loadServeConfig(['--poll-interval', '10ms', '--checker-ttl', '0.5s'], {})) as ConfigError
  t.same(err.problems, ['--poll-interval: 10ms is below the minimum 50ms', '--checker-ttl: 500ms is below the minimum 1000ms'])
})

t.test('an unreadable password or token file is reported once: no second problem about the missing secret', async (t) => {
  const eacces = (p: string): string => { throw Object.assign(new Error(`EACCES ${p}`), { code: 'EACCES' }) }
  let err = t.throws(() => loadServeConfig(['--emqx-username', 'key', '--emqx-password-file', '/run/p'], {}, eacces)) as ConfigError
  t.same(err.problems, ['--emqx-password-file: cannot read /run/p (EACCES)'])
  err = t.throws(() => loadServeConfig(['--emqx-username', 'key'], { SIDECAR_EMQX_PASSWORD_FILE: '/empty' }, () => '')) as ConfigError
  t.same(err.problems, ['SIDECAR_EMQX_PASSWORD_FILE: /empty is empty'])
  err = t.throws(() => loadServeConfig(['--admin-port', '9185', '--admin-token-file', '/run/t'], {}, eacces)) as ConfigError
  t.same(err.problems, ['--admin-token-file: cannot read /run/t (EACCES)'])
})
