// The test files of group 'nginx' (test/groups/groups.ts) in one process.
import { runGroup } from './run.js'

await runGroup('nginx')
