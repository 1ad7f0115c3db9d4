// `npm test` after its pretest: tap (its arguments passed on), and beside it the type check of the tests and the lint,
// which a suite that mostly waits on HAProxy, nginx, sidecars and timers leaves CPU for (they ran before it in the
// pretest: some 10 s of the clean-clone wall time). tap's output goes out as it comes; each check's output is given
// after tap's. The exit status is tap's when it failed, else 1 when a check failed, else 0.
import { spawn } from 'node:child_process'
import { bin, ROOT, runStep } from './steps.mjs'

const checks = [
  ['type check of the tests (tsc -p test/tsconfig.json)', bin('tsc'), ['-p', 'test/tsconfig.json', '--noEmit']],
  ['lint (eslint .)', bin('eslint'), ['.']],
].map(runStep)

// test/loader/strip-only.mjs through NODE_OPTIONS: it must run before the --import tap adds (.taprc says why)
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${ROOT}test/loader/strip-only.mjs`.trim() }
const tap = spawn(bin('tap'), process.argv.slice(2), { cwd: ROOT, stdio: 'inherit', env })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { tap.kill(signal) })
const tapStatus = await new Promise((resolve) => {
  tap.on('error', (err) => { process.stderr.write(`cannot start tap (${err.message})\n`); resolve(1) })
  tap.on('close', (code, signal) => { resolve(code ?? (signal !== null ? 1 : 0)) })
})

const results = await Promise.all(checks)
for (const r of results) process.stdout.write(r.text)
const failed = results.filter((r) => !r.ok).map((r) => r.name)
if (failed.length > 0) process.stderr.write(`npm test: failed beside the suite: ${failed.join(', ')}\n`)
process.exit(tapStatus !== 0 ? tapStatus : failed.length > 0 ? 1 : 0)
