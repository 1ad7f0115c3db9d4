import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CLI, runCli } from '../support/sidecar-proc.js'
import { tempDir } from '../support/tmpdir.js'

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
const fixture = (name: string): string => join(FIXTURES, name)

t.test('a config with an error: the table names file:line, severity, code, consequence and fix; exit 1', async (t) => {
  const r = await runCli(['doctor', fixture('HAPROXY_NO_CHECK.cfg')])
  t.equal(r.code, 1, r.stderr)
  t.match(r.stdout, /^LOCATION +SEVERITY +CODE +AT THE NEXT EVACUATION \/ FIX$/m)
  t.match(r.stdout, /HAPROXY_NO_CHECK\.cfg:19 +error +HAPROXY_NO_CHECK +server emqx1 is never checked/)
  t.match(r.stdout, /^ +fix: default-server check inter 2s fall 3 rise 2 agent-check agent-port 9184 agent-inter 1s$/m)
  t.match(r.stdout, /^2 errors, 0 warnings in 1 file/m)
})

t.test('--json prints exactly {"findings":[{file, line, severity, code, message, fix}]}', async (t) => {
  const r = await runCli(['doctor', '--json', fixture('HAPROXY_IDLE_TIMEOUT.cfg'), fixture('K8S_GRACE_PERIOD.yaml')])
  t.equal(r.code, 1)
  const doc = JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>> }
  t.same(Object.keys(doc), ['findings'])
  t.equal(doc.findings.length, 3)
  for (const f of doc.findings) {
    t.same(Object.keys(f), ['file', 'line', 'severity', 'code', 'message', 'fix'])
    t.type(f.file, 'string')
    t.type(f.line, 'number')
    t.ok(f.severity === 'error' || f.severity === 'warning')
    t.match(f.message, /\S/)
    t.match(f.fix, /\S/)
  }
  t.same(doc.findings.map((f) => [f.line, f.code]), [[8, 'HAPROXY_IDLE_TIMEOUT'], [9, 'HAPROXY_IDLE_TIMEOUT'], [17, 'K8S_GRACE_PERIOD']])
})

t.test('warnings alone exit 0', async (t) => {
  const r = await runCli(['doctor', '--json', fixture('HAPROXY_HASH_BALANCE.cfg')])
  t.equal(r.code, 0)
  t.same((JSON.parse(r.stdout) as { findings: Array<{ severity: string }> }).findings.map((f) => f.severity), ['warning'])
})

t.test('input the doctor cannot read: one line naming the file (and line), exit 2', async (t) => {
  const dir = tempDir(t)
  const cases: Array<[string, string, RegExp]> = [
    ['bad.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  labels: [a\n', /bad\.yaml:\d+: malformed YAML: [^\n]*[^:\n]\n$/],
    ['bad.conf', 'stream {\n  upstream u {\n    server 10.0.0.1:1883;\n}\n', /bad\.conf:1: "\{" is never closed/],
    ['bad-semi.conf', 'events {}\nstream {\n  server { listen 1883 }\n}\n', /bad-semi\.conf:3: "listen" has no ";" before "\}"/],
    ['bad.cfg', 'server emqx1 10.0.0.1:1883\nbackend b\n  server a 10.0.0.1:1883\n', /bad\.cfg:1: "server" outside any section/],
    ['notes.txt', 'just some words\n', /notes\.txt: neither a haproxy\.cfg, an nginx config nor Kubernetes YAML/],
  ]
  for (const [name, text, message] of cases) {
    writeFileSync(join(dir, name), text)
    const r = await runCli(['doctor', join(dir, name)])
    t.equal(r.code, 2, name)
    t.match(r.stderr, /^emqx-lb-sidecar doctor: /, name)
    t.match(r.stderr, message, name)
    t.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line`)
    t.equal(r.stdout, '', `${name}: no table`)
  }
  const missing = await runCli(['doctor', join(dir, 'nope.cfg')])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /nope\.cfg: cannot read \(ENOENT\)/)
})

t.test('usage errors exit 2 with the CLI\'s configuration message', async (t) => {
  for (const args of [['doctor'], ['doctor', '--bogus', fixture('HAPROXY_NO_CHECK.cfg')], ['doctor', '--wait-health-check', '60', 'x.cfg']]) {
    const r = await runCli(args)
    t.equal(r.code, 2, args.join(' '))
    t.match(r.stderr, /^emqx-lb-sidecar: SIDECAR_ERR_CONFIG_INVALID: invalid configuration:/, args.join(' '))
  }
  const help = await runCli(['doctor', '--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /^Usage: emqx-lb-sidecar doctor \[options\] FILE\.\.\./)
  for (const flag of ['--wait-health-check', '--mqtt-keepalive', '--evacuation-timeout', '--port', '--agent-port', '--json', '--sidecar']) {
    t.match(help.stdout, flag)
  }
  t.match(help.stdout, '--wait-health-check / SIDECAR_WAIT_HEALTH_CHECK  (default 60s)', 'serve\'s default, not a copy')
})

t.test('the settings: flags move the limits; a manifest\'s SIDECAR_* env beats a default, a flag beats both', async (t) => {
  const slow = fixture('K8S_SLOW_READINESS.yaml')
  t.equal((await runCli(['doctor', slow])).code, 1, '62 s > the default 60 s')
  t.equal((await runCli(['doctor', '--wait-health-check', '2m', slow])).code, 0, '62 s < 2m')
  t.equal((await runCli(['doctor', '--mqtt-keepalive', '500s', join(FIXTURES, '../../../haproxy/haproxy-agent.cfg')])).code, 1,
    'timeout client 10m < 1.5 x 500 s')
  const dir = tempDir(t)
  const file = join(dir, 'sts.yaml')
  writeFileSync(file, readFileSync(slow, 'utf8').replace('periodSeconds: 10  # <- K8S_SLOW_READINESS\n            failureThreshold: 6',
    'periodSeconds: 10\n            failureThreshold: 1').replace('value: "6"', 'value: "1"')
    .replace('value: http://127.0.0.1:18083', 'value: http://127.0.0.1:18083\n            - name: SIDECAR_WAIT_HEALTH_CHECK\n              value: 10s'))
  const fromEnv = await runCli(['doctor', '--json', file])
  t.equal(fromEnv.code, 1, '1 s + 10 s x 1 + 1 s > the manifest\'s 10 s')
  t.match(fromEnv.stdout, /K8S_SLOW_READINESS/)
  t.match(fromEnv.stdout, /wait_health_check 10s/)
  t.equal((await runCli(['doctor', '--wait-health-check', '60s', file])).code, 0, 'the flag wins over the manifest')
})

t.test('`-` reads standard input (kubectl kustomize DIR | emqx-lb-sidecar doctor -)', async (t) => {
  const child = spawn(process.execPath, [CLI, 'doctor', '--json', '-'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c })
  child.stdin.end(readFileSync(fixture('K8S_HEADLESS_NOT_READY.yaml')))
  const [code] = await once(child, 'exit') as [number]
  t.equal(code, 1)
  t.same((JSON.parse(stdout) as { findings: Array<{ file: string, line: number, code: string }> }).findings,
    [{ file: '-', line: 7, code: 'K8S_HEADLESS_NOT_READY', severity: 'error', message: (JSON.parse(stdout) as { findings: Array<{ message: string }> }).findings[0]?.message, fix: 'publishNotReadyAddresses: true' }])
})
