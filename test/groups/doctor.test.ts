// The test files of group 'doctor' (test/groups/groups.ts) in one process.
import { runGroup } from './run.js'

await runGroup('doctor')
