// The test files of group 'ack' (test/groups/groups.ts) in one process.
import { runGroup } from './run.js'

await runGroup('ack')
