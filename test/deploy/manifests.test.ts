import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { kustomize, kustomizationDirs, readYamlDocs, type K8sObject } from '../support/kustomize.js'
import { unknownFieldProblems, validateSchema } from '../support/k8s-schema.js'

/**
 * Every kustomization under deploy/ renders (JS subset; compared with `kubectl kustomize` where kubectl
 * is installed) and every object validates against the Kubernetes schemas, unknown fields included.
 * Wiring checks (probes vs real routes, env vs real options, timing) are in wiring.test.ts.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DEPLOY = join(ROOT, 'deploy')
const dirs = kustomizationDirs(DEPLOY)
const rel = (d: string): string => relative(ROOT, d)

t.test('finds the base, the cloud overlays, the evacuate-on-shutdown overlay, monitoring and the operator example', async (t) => {
  t.same(dirs.map(rel), [
    'deploy/base', 'deploy/emqx-operator', 'deploy/monitoring',
    'deploy/overlays/aws-nlb', 'deploy/overlays/azure', 'deploy/overlays/evacuate-on-shutdown', 'deploy/overlays/gcp',
  ])
})

const rendered = dirs.map((d) => ({ dir: rel(d), objects: kustomize(d) }))

t.test('every object of every kustomization passes the schema (kubernetes-models)', async (t) => {
  for (const { dir, objects } of rendered) {
    t.ok(objects.length > 0, `${dir} renders objects`)
    for (const o of objects) {
      t.doesNotThrow(() => { validateSchema(o) }, `${dir}: ${o.kind}/${o.metadata.name}`)
    }
  }
})

t.test('no object has a field the schema does not know (typos would be dropped silently by the API server)', async (t) => {
  const all = rendered.flatMap(({ dir, objects }) => objects.map((object) => ({ where: `${dir} ${object.kind}/${object.metadata.name}`, object })))
  // a planted typo proves the check can fail
  const base = rendered.find((r) => r.dir === 'deploy/base')?.objects.find((o) => o.kind === 'StatefulSet')
  const mutant = structuredClone(base) as K8sObject & { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } }
  const sidecar = mutant.spec.template.spec.containers.find((c) => c.name === 'lb-sidecar')
  if (sidecar === undefined) return t.fail('no lb-sidecar container')
  sidecar.readinesProbe = sidecar.readinessProbe
  delete sidecar.readinessProbe
  const problems = unknownFieldProblems([...all, { where: 'planted typo', object: mutant }])
  t.equal(problems.length, 1, `only the planted typo is reported:\n${problems.join('\n')}`)
  t.match(problems[0], /^planted typo: .*readinesProbe/)
})

t.test('ambiguous YAML: no number written with a leading zero (octal in YAML 1.1, decimal in 1.2)', async (t) => {
  const files = readdirSync(DEPLOY, { recursive: true }).map(String).filter((f) => f.endsWith('.yaml'))
  t.ok(files.length > 10, `${files.length} YAML files`)
  for (const f of files) {
    readFileSync(join(DEPLOY, f), 'utf8').split('\n').forEach((line, i) => {
      if (/:\s+0[0-7]+\s*(#.*)?$/.test(line)) t.fail(`deploy/${f}:${i + 1}: ${line.trim()}`)
    })
  }
})

t.test('the JS rendering equals `kubectl kustomize` (when kubectl is installed)', async (t) => {
  const which = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' })
  if (which.status !== 0) {
    // kubectl is no Debian package, so CI may lack it; the JS subset is then the renderer of record
    t.plan(0, 'kubectl not installed: compared only where it is')
    return
  }
  const key = (o: K8sObject): string => `${o.apiVersion}/${o.kind}/${o.metadata.name}`
  for (const d of dirs) {
    const r = spawnSync('kubectl', ['kustomize', d], { encoding: 'utf8', timeout: 60_000 })
    t.equal(r.status, 0, `kubectl kustomize ${rel(d)}: ${r.stderr}`)
    const fromKubectl = r.stdout.split(/^---$/m).map((s) => parseYaml(s, { version: '1.1' }) as K8sObject | null).filter((o): o is K8sObject => o !== null)
    const ours = kustomize(d)
    t.same(Object.fromEntries(ours.map((o) => [key(o), o])), Object.fromEntries(fromKubectl.map((o) => [key(o), o])), `${rel(d)} renders the same`)
  }
})

t.test('the PrometheusRule carries exactly the groups of deploy/grafana/alerts.yaml', async (t) => {
  const [file] = readYamlDocs(join(DEPLOY, 'grafana', 'alerts.yaml')) as Array<{ groups: unknown }>
  const rule = rendered.find((r) => r.dir === 'deploy/monitoring')?.objects.find((o) => o.kind === 'PrometheusRule') as (K8sObject & { spec: { groups: unknown } }) | undefined
  t.ok(rule, 'PrometheusRule rendered')
  t.same(rule?.spec.groups, file?.groups)
})
