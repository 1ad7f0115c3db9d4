import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { posix } from 'node:path'
import t from 'tap'
import { runCli } from './support/sidecar-proc.js'

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')
const readme = read('README.md')
const section = (title: string): string => {
  const start = readme.indexOf(`\n## ${title}\n`)
  const end = readme.indexOf('\n## ', start + 1)
  return readme.slice(start, end === -1 ? undefined : end)
}

t.test('the test command lists exactly the Debian packages .ci/run installs', async (t) => {
  const ci = [...read('.ci/run').matchAll(/need\+=\(([a-z0-9.+-]+)\)/g)].map((m) => m[1] ?? '')
  t.ok(ci.length >= 10, `.ci/run installs ${ci.join(' ')}`)
  const quick = section('Quick start')
  const listed = /Run the tests[^`]*`([a-z0-9.+\s-]+)`/.exec(quick)?.[1]?.split(/\s+/) ?? []
  t.same(listed, ci, 'same packages, same order')
})

t.test('Quick start gives exactly two set-up commands: one runs the sidecar, one runs the tests', async (t) => {
  const setUp = [...section('Quick start').matchAll(/```sh\n(npm ci[^\n]*)\n```/g)].map((m) => m[1])
  t.same(setUp, ['npm ci && npm start -- --emqx-url http://127.0.0.1:18083', 'npm ci && npm test'])
})

t.test('the Commands table is one table with a row for every command the CLI lists', async (t) => {
  const commands = section('Commands')
  const lines = commands.split('\n')
  const first = lines.findIndex((l) => l.startsWith('| command |'))
  const rows = lines.slice(first)
  const end = rows.findIndex((l) => !l.startsWith('|'))
  t.notOk(rows.slice(end).some((l) => l.startsWith('|')), 'no table row after the table ended (a paragraph splits it)')
  const table = rows.slice(0, end).join('\n')
  const help = (await runCli(['--help'])).stdout
  const block = help.slice(help.indexOf('Commands:'), help.indexOf('\n\n', help.indexOf('Commands:')))
  const listed = [...block.matchAll(/^ {2}([a-z-]+)(?: \[command\])? {2,}/gm)].map((m) => m[1] ?? '')
  t.ok(listed.includes('status') && listed.includes('help'), `the CLI lists ${listed.join(', ')}`)
  for (const c of listed) t.ok(table.includes(c === 'serve' ? '`emqx-lb-sidecar [serve]`' : `\`emqx-lb-sidecar ${c}`), `${c} has a row`)
})

t.test('the README stays a first page: the full references live in docs/', async (t) => {
  const lines = readme.split('\n')
  t.ok(lines.length <= 160, `${lines.length} lines`)
  t.notOk(lines.some((l) => l.startsWith('| `emqx_lb_sidecar_')), 'no metrics table (docs/metrics.md has it)')
  t.ok(lines.filter((l) => l.startsWith('| `--')).length <= 12, 'a few flags only (docs/configuration.md has them all)')
  for (const doc of ['docs/configuration.md', 'docs/metrics.md', 'docs/endpoints.md']) t.ok(readme.includes(`](${doc})`), `links ${doc}`)
  const intro = readme.slice(readme.indexOf('\n\n') + 2, readme.indexOf('\n\n', readme.indexOf('\n\n') + 2))
  t.ok(intro.split(/\s+/).length <= 40, `the opening paragraph is short (${intro.split(/\s+/).length} words)`)
})

/** GitHub's anchor of a heading: lower case, punctuation but - and _ dropped, spaces to dashes. */
const anchor = (heading: string): string => heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')

t.test('every relative link in the README and docs/ reaches a file, and its #anchor a heading', async (t) => {
  const files = ['README.md', ...readdirSync(new URL('../docs/', import.meta.url)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
  const broken: string[] = []
  for (const file of files) {
    const text = read(file).replace(/```[\s\S]*?```/g, '')
    for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue
      const [path = '', hash] = target.split('#')
      const resolved = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), path))
      if (!existsSync(new URL(`../${resolved}`, import.meta.url))) { broken.push(`${file}: ${target}`); continue }
      if (hash === undefined || !resolved.endsWith('.md')) continue
      const headings = [...read(resolved).matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1] ?? ''))
      if (!headings.includes(hash)) broken.push(`${file}: ${target} (no such heading)`)
    }
  }
  t.same(broken, [], 'broken links')
})
