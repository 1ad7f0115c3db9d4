// The test files of group 'deploy' (test/groups/groups.ts) in one process.
import { runGroup } from './run.js'

await runGroup('deploy')
