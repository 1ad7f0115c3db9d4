// The test files of group 'processes' (test/groups/groups.ts) in one process.
import { runGroup } from './run.js'

await runGroup('processes')
