// The test files of group 'commands' (test/groups/groups.ts) in one process.
import { runGroup } from './run.js'

await runGroup('commands')
