import { readFileSync } from 'node:fs'
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
