// `npm test`'s pretest: the build, the type check of the tests, the lint and the transpile cache are independent of
// one another, so they run side by side (about 50 s of CPU one after another, on two CPUs about half that wall time).
// Each one's output is kept and printed when it ends; the pretest fails, after all have ended, if any failed, naming it.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const bin = (name) => `${ROOT}node_modules/.bin/${name}`

const steps = [
  ['build (tsc -p tsconfig.json)', bin('tsc'), ['-p', 'tsconfig.json']],
  ['type check of the tests (tsc -p test/tsconfig.json)', bin('tsc'), ['-p', 'test/tsconfig.json', '--noEmit']],
  ['lint (eslint .)', bin('eslint'), ['.']],
  ['transpile cache (test/loader/warm.mjs)', process.execPath, ['test/loader/warm.mjs']],
]

function run ([name, cmd, args]) {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const out = []
    child.stdout.on('data', (d) => out.push(d))
    child.stderr.on('data', (d) => out.push(d))
    child.on('error', (err) => resolve({ name, ok: false, text: `${name}: cannot start ${cmd} (${err.message})\n` }))
    child.on('close', (code, signal) => {
      const secs = ((performance.now() - started) / 1000).toFixed(1)
      const text = Buffer.concat(out).toString()
      const ok = code === 0
      resolve({ name, ok, text: `${ok ? 'ok' : 'FAILED'}: ${name}, ${secs} s${ok ? '' : ` (${signal ?? `exit ${code}`})`}\n${text}` })
    })
  })
}

const results = await Promise.all(steps.map(run))
for (const r of results) process.stdout.write(r.text)
const failed = results.filter((r) => !r.ok).map((r) => r.name)
if (failed.length > 0) {
  process.stderr.write(`pretest failed: ${failed.join(', ')}\n`)
  process.exit(1)
}
