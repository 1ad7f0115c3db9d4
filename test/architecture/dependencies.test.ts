import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { readPackageImports } from '../support/import-graph.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { dependencies: Record<string, string>, engines: { node: string } }

t.test('every package src/ imports is a runtime dependency (a shipped command never needs a devDependency)', async (t) => {
  const missing = [...readPackageImports(`${root}/src`)].filter(([name]) => pkg.dependencies[name] === undefined).map(([name, file]) => `${file} imports ${name}`)
  t.same(missing, [])
  t.ok(readPackageImports(`${root}/src`).has('mqtt'), 'the demo imports mqtt (else this test reads nothing)')
})

t.test('engines.node is at least what undici 7 needs', async (t) => {
  t.equal(pkg.engines.node, '>=20.18.1')
  t.match(pkg.dependencies.undici, /^\^7\./)
})
