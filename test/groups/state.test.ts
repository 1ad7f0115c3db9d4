// The test files of group 'state' (test/groups/groups.ts) in one process.
import { runGroup } from './run.js'

await runGroup('state')
