import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
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

/** Imports every file of the group: their top-level t.test calls queue on this process's root test, in order. */
export async function runGroup (name: string): Promise<void> {
  for (const file of groupFiles(name)) await import(pathToFileURL(join(ROOT, file)).href)
}
