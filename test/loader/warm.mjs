// Fills the transpile cache with every TypeScript file of src/, test/ and bench/ in one process, before tap starts
// its test processes (`pretest`): no test process then loads the TypeScript compiler.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { transpile } from './transpile.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function * tsFiles (dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'dist' && !e.name.startsWith('.')) yield * tsFiles(p)
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
      yield p
    }
  }
}

for (const dir of ['src', 'test', 'bench']) {
  for (const file of tsFiles(join(ROOT, dir))) await transpile(file, readFileSync(file, 'utf8'))
}
