import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

// Docs that cannot drift: every path of src/ the README or a document in docs/ names exists. Two forms are read:
// `src/<path>` (not inside a longer path such as EMQX's `apps/emqx_management/src/...`), and, in backticks, a
// `.ts` path that begins with one of src/'s folders (`http/listeners/probe.ts`), as docs/architecture.md writes them.

const root = fileURLToPath(new URL('..', import.meta.url))
const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
const folders = readdirSync(join(root, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)

/** The src/ paths a document names, as paths from the repository's root. */
export function namedPaths (text: string, srcFolders: readonly string[]): string[] {
  const found = new Set<string>()
  // this repository's sources are .ts files and their folders; `src/mria.erl` (emqx/mria) is another project's
  for (const m of text.matchAll(/(?<![\w/.-])src\/[\w./-]*\w/g)) {
    if (/(?:\.ts|\/[\w-]+)$/.test(m[0])) found.add(m[0])
  }
  const folder = new RegExp(`\`((?:${srcFolders.join('|')})/[\\w./-]+\\.ts)\``, 'g')
  for (const m of text.matchAll(folder)) if (m[1] !== undefined) found.add(`src/${m[1]}`)
  return [...found]
}

t.test('the path reader finds both forms and leaves EMQX\'s source paths alone', async (t) => {
  t.same(namedPaths('see src/state/model.ts, src/metrics, `http/admin.ts`, apps/emqx/src/emqx_schema.erl and mria `src/mria.erl`', ['http', 'state']).sort(),
    ['src/http/admin.ts', 'src/metrics', 'src/state/model.ts'])
})

t.test('every src/ path named in the README and docs/ exists', async (t) => {
  let named = 0
  const missing: string[] = []
  for (const doc of docs) {
    for (const p of namedPaths(readFileSync(join(root, doc), 'utf8'), folders)) {
      named++
      if (!existsSync(join(root, p))) missing.push(`${doc}: ${p}`)
    }
  }
  t.ok(named > 20, `${named} paths named (else this test reads nothing)`)
  t.same(missing, [])
})
