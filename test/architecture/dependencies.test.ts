import { builtinModules } from 'node:module'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { readPackageImports } from '../support/import-graph.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { dependencies: Record<string, string>, engines: { node: string } }
const imports = readPackageImports(`${root}/src`)

t.test('every package src/ imports is a runtime dependency (a shipped command never needs a devDependency)', async (t) => {
  const missing = [...imports].filter(([name]) => pkg.dependencies[name] === undefined).map(([name, file]) => `${file} imports ${name}`)
  t.same(missing, [])
  t.ok(imports.has('mqtt'), 'the demo imports mqtt (else this test reads nothing)')
})

t.test('builtins are imported as node:<name> (a bare `fs` would read as an undeclared package)', async (t) => {
  const bare = [...imports].filter(([name]) => builtinModules.includes(name)).map(([name, file]) => `${file} imports ${name}`)
  t.same(bare, [])
})

t.test('every runtime dependency is imported somewhere in src/ (no dead weight in an install)', async (t) => {
  const unused = Object.keys(pkg.dependencies).filter((name) => !imports.has(name))
  t.same(unused, [])
})

/** The rows of docs/dependencies.md's table: package name -> range, as the doc writes them. */
function documented (doc: string): Map<string, string> {
  const rows = new Map<string, string>()
  for (const line of doc.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim())
    const name = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1]
    if (name !== undefined && cells.length >= 2) rows.set(name, cells[1] ?? '')
  }
  return rows
}

t.test('docs/dependencies.md lists exactly the runtime dependencies, each at package.json\'s major', async (t) => {
  const rows = documented(readFileSync(`${root}/docs/dependencies.md`, 'utf8'))
  t.same([...rows.keys()].sort(), Object.keys(pkg.dependencies).sort(), 'the table names package.json\'s dependencies, no more, no fewer')
  for (const [name, range] of Object.entries(pkg.dependencies)) {
    const major = /^[\^~]?(\d+)\./.exec(range)?.[1]
    t.equal(rows.get(name), `^${major ?? '?'}`, `${name}: the doc's range is package.json's ${range} major line`)
  }
})

/** The version `>=X.Y.Z` names, as [X, Y, Z]. */
function floor (range: string): number[] | undefined {
  const m = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim())
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])]
}

/** Whether every version from `min` up satisfies a dependency's engines.node (forms `>=X.Y.Z`, `>=X`, `^X`, joined by `||`). */
function acceptsFrom (min: number[], range: string): boolean {
  const [maj = 0, minor = 0, patch = 0] = min
  const cmp = (a: number[]): number => (maj - (a[0] ?? 0)) || (minor - (a[1] ?? 0)) || (patch - (a[2] ?? 0))
  return range.split('||').some((part) => {
    const p = part.trim()
    const ge = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(p)
    if (ge !== null) return cmp([Number(ge[1]), Number(ge[2] ?? 0), Number(ge[3] ?? 0)]) >= 0
    return false // ^X bounds the major: it cannot carry every version from min up, only an open >= can
  })
}

t.test('engines.node is no lower than any runtime dependency needs (undici 7 needs 20.18.1)', async (t) => {
  const min = floor(pkg.engines.node)
  if (min === undefined) return t.fail(`engines.node ${pkg.engines.node} is not of the form >=X.Y.Z`)
  t.ok(acceptsFrom([20, 18, 1], '>=20.18.1') && !acceptsFrom([20, 18, 0], '>=20.18.1') && acceptsFrom([20, 0, 0], '^16 || >=20'), 'the range check itself')
  let read = 0
  for (const name of Object.keys(pkg.dependencies)) {
    const dep = JSON.parse(readFileSync(`${root}/node_modules/${name}/package.json`, 'utf8')) as { engines?: { node?: string } }
    const need = dep.engines?.node
    if (need === undefined) continue
    read++
    t.ok(acceptsFrom(min, need), `${name} needs node ${need}; package.json accepts ${pkg.engines.node}`)
  }
  t.ok(read > 0, 'some dependency states engines.node (else this test reads nothing)')
  t.ok(readFileSync(`${root}/docs/dependencies.md`, 'utf8').includes(`(\`engines.node\` >= ${min.join('.')})`), 'docs/dependencies.md states the same engines.node')
})
