import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { doctorOptions } from '../../src/commands/doctor-options.js'
import { doctorSettings } from '../../src/commands/doctor.js'
import { parseOptions } from '../../src/config/parse.js'
import { checkFiles } from '../../src/doctor/check-files.js'
import { requireBinary } from '../support/components.js'
import { readYamlDocs, type K8sObject } from '../support/kustomize.js'
import { unknownFieldProblems, validateSchema } from '../support/k8s-schema.js'
import { requireNjs } from '../support/nginx-server.js'
import { tempDir } from '../support/tmpdir.js'

/**
 * Every bad fixture (test/doctor/fixtures/CODE[.variant].cfg|conf|yaml) is a config its own tool accepts
 * (`haproxy -c`, `nginx -t`, the Kubernetes schemas), so the doctor is judged on configs that run; and the
 * doctor finds in it exactly the findings its `# <- CODE` comments mark, at those lines (in the
 * fixture or in the `.inc` files it includes).
 */
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
export const fixtures = readdirSync(FIXTURES).filter((f) => /^[A-Z0-9_]+(\.[a-z-]+)?\.(cfg|conf|yaml)$/.test(f)).sort()
/** A fixture's `# doctor flags: --x y` line: the doctor settings it is checked with (the defaults otherwise). */
const settingsOf = (file: string): ReturnType<typeof doctorSettings> => {
  const flags = /^# doctor flags: (.*)$/m.exec(readFileSync(join(FIXTURES, file), 'utf8'))?.[1]?.trim().split(/\s+/) ?? []
  return doctorSettings(parseOptions(doctorOptions, flags, {}))
}

function marks (file: string): string[] {
  const text = readFileSync(join(FIXTURES, file), 'utf8')
  const own = text.split('\n').flatMap((l, i) => [...l.matchAll(/# <- ([A-Z0-9_]+)\s*$/g)].map((m) => `${file}:${i + 1} ${m[1] ?? ''}`))
  const included = [...text.matchAll(/^\s*include\s+(\S+\.inc);/gm)].map((m) => m[1] ?? '')
  return [...own, ...included.flatMap(marks)]
}

t.test('each fixture gets exactly the findings it marks, at the marked lines', async (t) => {
  t.ok(fixtures.length >= 20, `${fixtures.length} fixtures`)
  for (const f of fixtures) {
    const expected = marks(f).sort()
    t.ok(expected.length > 0, `${f} marks at least one finding`)
    t.ok(expected.every((m) => m.endsWith(` ${f.split('.')[0] ?? ''}`)), `${f} marks only its own code`)
    const found = checkFiles([join(FIXTURES, f)], settingsOf(f)).findings.map((x) => `${basename(x.file)}:${x.line} ${x.code}`).sort()
    t.same(found, expected, f)
  }
})

t.test('haproxy -c accepts every HAProxy fixture without a warning', async (t) => {
  const bin = requireBinary(t, 'haproxy', 'haproxy')
  if (bin === undefined) return
  for (const f of fixtures.filter((x) => x.endsWith('.cfg'))) {
    const r = spawnSync(bin, ['-c', '-f', join(FIXTURES, f)], { encoding: 'utf8' })
    t.equal(r.status, 0, `${f}: ${r.stdout}${r.stderr}`)
    t.notMatch(r.stderr, /\[WARNING\]|\[ALERT\]/, `${f} has no warnings`)
  }
})

t.test('nginx -t accepts every nginx fixture', async (t) => {
  const bin = requireBinary(t, 'nginx', 'nginx libnginx-mod-stream libnginx-mod-stream-js')
  if (bin === undefined || !requireNjs(t)) return
  const dir = tempDir(t)
  for (const f of fixtures.filter((x) => x.endsWith('.conf'))) {
    const r = spawnSync(bin, ['-t', '-p', FIXTURES, '-c', join(FIXTURES, f), '-g', `pid ${dir}/nginx.pid; error_log ${dir}/error.log;`],
      { encoding: 'utf8' })
    t.equal(r.status, 0, `${f}: ${r.stderr}`)
  }
})

t.test('every Kubernetes fixture is valid against the Kubernetes schemas, unknown fields included', async (t) => {
  const objects: Array<{ where: string, object: K8sObject }> = []
  for (const f of fixtures.filter((x) => x.endsWith('.yaml'))) {
    for (const [i, doc] of readYamlDocs(join(FIXTURES, f)).entries()) {
      const object = doc as K8sObject
      t.doesNotThrow(() => { validateSchema(object) }, `${f} document ${i + 1}`)
      objects.push({ where: `${f} #${i + 1}`, object })
    }
  }
  t.same(unknownFieldProblems(objects), [])
})
