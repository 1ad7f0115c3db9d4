// Preloaded into every test process (.taprc node-arg: --import): the TypeScript hooks of hooks.mjs, and plain child
// processes.
import { createRequire, register } from 'node:module'

register('./hooks.mjs', import.meta.url)

// tap's process tracker (@tapjs/processinfo, behind its coverage) adds itself to NODE_OPTIONS of every process a test
// starts. A sidecar started with it costs twice the CPU (0.8-0.9 s instead of 0.4 s for `--check-config`, measured), and the
// suite starts some hundreds of them: so the processes the tests start run plain, and coverage counts what runs in the
// test processes themselves. COVERAGE_CHILDREN=1 keeps the tracker in them too (a slower run, with their coverage).
// This listener is added after the tracker's (tap's --import of it comes first), so it sees and undoes what that one set.
if (process.env.COVERAGE_CHILDREN !== '1') {
  const onSpawn = createRequire(import.meta.url)('process-on-spawn')
  onSpawn.addListener((opts) => {
    const options = opts.env.NODE_OPTIONS
    if (typeof options !== 'string' || !options.includes('@tapjs/processinfo')) return
    const kept = options.split(/\s+/).filter((a) => a !== '' && !a.includes('@tapjs/processinfo'))
    if (kept.length > 0) opts.env.NODE_OPTIONS = kept.join(' ')
    else delete opts.env.NODE_OPTIONS
  })
}
