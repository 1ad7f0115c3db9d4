import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { LoadReport } from '../load/child.js'
import type { LoadSpec } from '../load/generator.js'
import { pinProcess } from './pin.js'
import { exitWithin, track } from './proc.js'

export type { LoadReport } from '../load/child.js'
export type { LoadSpec } from '../load/generator.js'

const CHILD = fileURLToPath(new URL('../load/child.js', import.meta.url))

/** Runs one load in a fresh generator process (pinned to `cpu` when given) and returns its report. */
export async function load (spec: LoadSpec, cpu?: number): Promise<LoadReport> {
  const child = track(fork(CHILD, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
  if (cpu !== undefined && child.pid !== undefined) pinProcess(child.pid, cpu)
  const reply = once(child, 'message') as Promise<[LoadReport]>
  // it exits once its report is sent; a generator that hangs is killed after its run and the start-up bound
  const exit = exitWithin(child, spec.warmupMs + spec.durationMs, 'load generator')
    .then((code) => { throw new Error(`load generator exited (${String(code)}) without a report`) })
  child.send(spec)
  const [report] = await Promise.race([reply, exit])
  exit.catch(() => {})
  return report
}
