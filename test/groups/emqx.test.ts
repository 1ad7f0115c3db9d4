// The test files of group 'emqx' (test/groups/groups.ts) in one process.
import { runGroup } from './run.js'

await runGroup('emqx')
