// The test files of group 'tools' (test/groups/groups.ts) in one process.
import { runGroup } from './run.js'

await runGroup('tools')
