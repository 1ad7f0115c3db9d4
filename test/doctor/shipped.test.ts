import t from 'tap'
import { readdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stringify } from 'yaml'
import { doctorOptions } from '../../src/commands/doctor-options.js'
import { doctorSettings } from '../../src/commands/doctor.js'
import { parseOptions } from '../../src/config/parse.js'
import { checkFiles } from '../../src/doctor/check-files.js'
import { kustomizationDirs, kustomize } from '../support/kustomize.js'
import { runCli } from '../support/sidecar-proc.js'
import { tempDir } from '../support/tmpdir.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const settings = doctorSettings(parseOptions(doctorOptions, [], {}))
const files = (dir: string, ext: string): string[] => readdirSync(join(root, dir)).filter((f) => f.endsWith(ext)).map((f) => join(root, dir, f))
const SHIPPED = [...files('haproxy', '.cfg'), ...files('nginx', '.conf'), ...files('deploy/base', '.yaml'), join(root, 'deploy/emqx-operator/emqx.yaml')]

t.test('the shipped haproxy, nginx and deploy configs have no finding, each recognised as what it is', async (t) => {
  const { findings, kinds } = checkFiles(SHIPPED, settings)
  t.same(findings, [])
  for (const f of SHIPPED) {
    const want = f.endsWith('.cfg') ? 'haproxy' : f.endsWith('.conf') ? 'nginx' : 'kubernetes'
    t.equal(kinds.get(f), want, relative(root, f))
  }
})

t.test('every kustomization in deploy/, rendered, has no finding', async (t) => {
  const dir = tempDir(t)
  const dirs = kustomizationDirs(join(root, 'deploy'))
  t.ok(dirs.length >= 6, dirs.join(', '))
  for (const d of dirs) {
    const out = join(dir, `${relative(root, d).replaceAll('/', '_')}.yaml`)
    writeFileSync(out, kustomize(d).map((o) => stringify(o)).join('---\n'))
    t.same(checkFiles([out], settings).findings, [], relative(root, d))
  }
})

t.test('as a user runs it: the built CLI on the shipped configs exits 0', async (t) => {
  const r = await runCli(['doctor', ...SHIPPED])
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.match(r.stdout, `no findings in ${SHIPPED.length} files`)
})

t.test('the rendered checks can fail: the AWS overlay with the NLB\'s defaults back, and the base with a slow probe', async (t) => {
  const dir = tempDir(t)
  const aws = kustomize(join(root, 'deploy/overlays/aws-nlb')).map((o) => stringify(o)).join('---\n')
  const bad = join(dir, 'aws-defaults.yaml')
  writeFileSync(bad, aws.replace(/^.*aws-load-balancer-healthcheck-interval.*\n/m, '')
    .replace('connection_termination.enabled=false,target_health_state', 'connection_termination.enabled=true,target_health_state'))
  t.same(checkFiles([bad], settings).findings.map((f) => f.code).sort(), ['K8S_CLOUD_CONNECTION_TERMINATION', 'K8S_CLOUD_SLOW_CHECK'])
  const base = kustomize(join(root, 'deploy/base')).map((o) => stringify(o)).join('---\n')
  const slow = join(dir, 'base-slow.yaml')
  writeFileSync(slow, base.replace(/(path: \/readyz[\s\S]*?periodSeconds: )2/, (_, head: string) => `${head}70`))
  t.same(checkFiles([slow], settings).findings.map((f) => f.code), ['K8S_SLOW_READINESS'])
})
