import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t from 'tap'
import { GROUPS } from './groups.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The test files of a group (groups.ts), relative to the repository, in tap's order. */
export function groupFiles (name: string): string[] {
  const dirs = GROUPS[name]
  if (dirs === undefined) throw new Error(`no test group ${name} in test/groups/groups.ts`)
  return dirs.flatMap((dir) => readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `${dir}/${f.split('\\').join('/')}`))
    .sort((a, b) => a.localeCompare(b, 'en'))
}

/**
 * Imports every file of the group: their top-level t.test calls queue on this process's root test, in order. The
 * imports happen inside a first subtest, so every file has loaded (the TypeScript compiler some of them load, their
 * top-level constants) before the first file's tests start: a file loading while another's test runs would block
 * that test's servers and timers.
 */
export async function runGroup (name: string): Promise<void> {
  const files = groupFiles(name)
  await t.test(`group ${name}: load its ${files.length} files before their tests run`, async (t) => {
    for (const file of files) {
      await import(pathToFileURL(join(ROOT, file)).href)
      t.pass(file)
    }
  })
}
