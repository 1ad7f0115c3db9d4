// The test files of group 'units' (test/groups/groups.ts) in one process.
import { runGroup } from './run.js'

await runGroup('units')
