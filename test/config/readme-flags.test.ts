import { readFileSync } from 'node:fs'
import t from 'tap'
import { serveOptions } from '../../src/config/options.js'
import { envOf, type OptionSpec } from '../../src/config/table.js'

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
/** The text of a `## title` section (up to the next `## `), or '' when there is none. */
const section = (text: string, title: string): string => {
  const start = text.indexOf(`\n## ${title}\n`)
  if (start === -1) return ''
  const end = text.indexOf('\n## ', start + 1)
  return text.slice(start, end === -1 ? undefined : end)
}

t.test('every sidecar flag, and the -file form of each secret, is in docs/configuration.md', async (t) => {
  const table = section(read('docs/configuration.md'), 'Settings')
  t.ok(table.includes('| flag | variable | default | meaning |'), 'docs/configuration.md has its Settings table')
  // `--rebalance-{abs,rel}-{conn,sess}-threshold` stands for four flags
  const expanded = table.replace(/--rebalance-\{abs,rel\}-\{conn,sess\}-threshold/g, ['abs-conn', 'rel-conn', 'abs-sess', 'rel-sess'].map((x) => `\`--rebalance-${x}-threshold\``).join(' '))
  const missing: string[] = []
  for (const o of serveOptions) {
    if (!new RegExp(`\`--${o.flag}\`|--${o.flag}[,\` ]`).test(expanded)) missing.push(`--${o.flag}`)
    if (o.fileVariant === true) {
      if (!expanded.includes(`\`--${o.flag}-file\``)) missing.push(`--${o.flag}-file`)
      if (!expanded.includes(`\`${envOf(o)}_FILE\``)) missing.push(`${envOf(o)}_FILE`)
    }
  }
  t.same(missing, [], 'flags missing from the docs/configuration.md table')
})

t.test("the README's most used flags exist, with the sidecar's own defaults", async (t) => {
  const rows = section(read('README.md'), 'Most used flags').split('\n').filter((l) => l.startsWith('| `--'))
  t.ok(rows.length >= 5, `${rows.length} rows`)
  const byFlag = new Map<string, OptionSpec>(serveOptions.map((o) => [o.flag, o]))
  for (const row of rows) {
    const [flags = '', shown = ''] = row.split('|').slice(1).map((c) => c.trim())
    for (const [, name = ''] of flags.matchAll(/`--([a-z0-9-]+)`/g)) {
      const o = byFlag.get(name) ?? byFlag.get(name.replace(/-file$/, ''))
      t.ok(o !== undefined && (o.flag === name || o.fileVariant === true), `--${name} is a flag of the sidecar`)
    }
    const first = /`--([a-z0-9-]+)`/.exec(flags)?.[1] ?? ''
    const expected = first === 'emqx-url' ? 'http://127.0.0.1:18083' : byFlag.get(first)?.default
    t.equal(shown.replace(/`/g, '') || undefined, expected, `--${first}'s default`)
  }
})
