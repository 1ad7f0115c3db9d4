import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parse } from 'yaml'
import { GROUPS } from './groups.js'
import { groupFiles } from './run.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const taprc = parse(readFileSync(join(ROOT, '.taprc'), 'utf8')) as { exclude?: string[], include?: string[] }
const allTests = readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts')).map((f) => `test/${f}`)

t.test('.taprc leaves out exactly the grouped directories (and the bench smoke test, a CI step of its own)', async (t) => {
  const dirs = Object.values(GROUPS).flat()
  t.same([...(taprc.exclude ?? [])].sort(), ['test/bench/smoke.test.ts', ...dirs.map((d) => `${d}/**`)].sort())
  t.same(taprc.include, ['test/**/*.test.ts'])
  t.equal(new Set(dirs).size, dirs.length, 'no directory in two groups')
})

t.test('every test file runs once: as a process of its own or in exactly one group', async (t) => {
  const grouped = Object.keys(GROUPS).flatMap((g) => groupFiles(g))
  t.equal(new Set(grouped).size, grouped.length, 'no file in two groups')
  for (const name of Object.keys(GROUPS)) {
    t.ok(groupFiles(name).length > 0, `group ${name} has files`)
    t.ok(allTests.includes(`test/groups/${name}.test.ts`), `test/groups/${name}.test.ts runs group ${name}`)
  }
  const dirs = Object.values(GROUPS).flat()
  const own = allTests.filter((f) => f !== 'test/bench/smoke.test.ts' && !dirs.some((d) => f.startsWith(`${d}/`)))
  t.same([...own, ...grouped].sort(), allTests.filter((f) => f !== 'test/bench/smoke.test.ts').sort())
})

// A grouped file shares its process with the others: what it does at the top level happens to all of them.
const TOP_LEVEL_STATE: ReadonlyArray<readonly [RegExp, string]> = [
  [/^t\.(?!test\()/m, 'a top-level tap call other than t.test (plan, teardown, end, before...)'],
  [/^(?:await|for await)\b/m, 'top-level await'],
  [/process\.env(?:\.\w+|\[[^\]]+\])\s*=[^=]/, 'a change to process.env'],
  [/process\.(?:chdir|exitCode|removeAllListeners)/, 'process-wide state (cwd, exit code, listeners)'],
  [/setGlobalDispatcher|Date\.now\s*=[^=]|globalThis\.\w+\s*=[^=]/, 'a global replaced'],
]

t.test('grouped files keep no process-wide state of their own', async (t) => {
  for (const file of Object.keys(GROUPS).flatMap((g) => groupFiles(g))) {
    const text = readFileSync(join(ROOT, file), 'utf8')
    const found = TOP_LEVEL_STATE.filter(([re]) => re.test(text)).map(([, what]) => what)
    // a process listener is allowed where the same test takes it off again (test/state/unhandled-rejections.test.ts)
    for (const m of text.matchAll(/process\.(?:on|once)\('(\w+)', (\w+)\)/g)) {
      if (!text.includes(`process.off('${m[1] ?? ''}', ${m[2] ?? ''})`)) found.push(`a process '${m[1] ?? ''}' listener left on`)
    }
    t.same(found, [], file)
  }
})
