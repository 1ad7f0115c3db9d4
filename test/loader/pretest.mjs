// `npm test`'s pretest: what the suite cannot start without, side by side: the build (the end-to-end tests run
// dist/) and the transpile cache (test/loader/warm.mjs). The type check of the tests and the lint need nothing
// before them and nothing needs them: they run beside the suite (test/loader/suite.mjs), on the CPU its waits leave.
import { bin, runStep } from './steps.mjs'

const steps = [
  ['build (tsc -p tsconfig.json)', bin('tsc'), ['-p', 'tsconfig.json']],
  ['transpile cache (test/loader/warm.mjs)', process.execPath, ['test/loader/warm.mjs']],
]

const results = await Promise.all(steps.map(runStep))
for (const r of results) process.stdout.write(r.text)
const failed = results.filter((r) => !r.ok).map((r) => r.name)
if (failed.length > 0) {
  process.stderr.write(`pretest failed: ${failed.join(', ')}\n`)
  process.exit(1)
}
