import { spawnSync } from 'node:child_process'
import { cpus } from 'node:os'
import { findBinary } from './proc.js'

/**
 * CPU pinning (taskset, util-linux): the server under test on CPU 0, the load generator on CPU 1, so
 * that neither takes the other's core. Off on a one-core machine or without taskset; the report says which.
 */
const TASKSET = cpus().length >= 2 ? findBinary('taskset') : undefined

export const PINNING = TASKSET !== undefined
export const SERVER_CPU = 0
export const LOAD_CPU = 1

/** [command, args] running bin on cpu when pinning, else bin itself. */
export function pinned (bin: string, args: readonly string[], cpu: number | undefined): [string, string[]] {
  return TASKSET !== undefined && cpu !== undefined ? [TASKSET, ['-c', String(cpu), bin, ...args]] : [bin, [...args]]
}

/** Pins every thread of a running process (a server started by the bench, a forked generator). */
export function pinProcess (pid: number, cpu: number): void {
  if (TASKSET === undefined || pid <= 0) return
  spawnSync(TASKSET, ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' })
}
