import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DOCTOR_CODES } from '../../src/doctor/codes.js'

// Like test/errors.test.ts: one registry, every code used, documented with its severity, and proven by a fixture.
const root = fileURLToPath(new URL('../..', import.meta.url))
const docs = readFileSync(`${root}/docs/doctor.md`, 'utf8')
const sources = readdirSync(`${root}/src/doctor`).filter((f) => f.endsWith('.ts') && f !== 'codes.ts')
  .map((f) => readFileSync(`${root}/src/doctor/${f}`, 'utf8')).join('\n')
const fixtures = readdirSync(`${root}/test/doctor/fixtures`)
/** codes proven elsewhere than by a fixture file, and where */
const LIVE: Record<string, string> = { SIDECAR_SLOW_CHECKER: 'test/doctor/live.test.ts' }

/** docs/doctor.md's findings table: code -> severity. */
const documented = new Map([...docs.matchAll(/^\| `([A-Z0-9_]+)` \| (error|warning) \|/gm)].map((m) => [m[1] ?? '', m[2] ?? '']))

t.test('every code is documented in docs/doctor.md with its severity, and the table lists no other', async (t) => {
  t.same([...documented.keys()].sort(), Object.keys(DOCTOR_CODES).sort())
  for (const [code, severity] of Object.entries(DOCTOR_CODES)) t.equal(documented.get(code), severity, code)
  t.equal(Object.keys(DOCTOR_CODES).length, 27, 'the count of codes (change it with the table)')
})

t.test('every code is raised by the doctor\'s rules (quoted in src/doctor outside the registry)', async (t) => {
  for (const code of Object.keys(DOCTOR_CODES)) t.match(sources, `'${code}'`, code)
})

t.test('every code has a bad fixture, or a live test that proves it', async (t) => {
  for (const code of Object.keys(DOCTOR_CODES)) {
    const live = LIVE[code]
    if (live !== undefined) t.match(readFileSync(`${root}/${live}`, 'utf8'), code, `${code}: ${live}`)
    else t.ok(fixtures.some((f) => f.startsWith(`${code}.`)), `${code} has a fixture`)
  }
})
