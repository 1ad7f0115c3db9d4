import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** What the kernel charges a process for (Linux /proc), as the targets count it. */

/** Clock ticks per second of /proc/<pid>/stat's times (`getconf CLK_TCK`, 100 on Linux nearly everywhere). */
export const CLOCK_TICKS: number = (() => {
  const n = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim())
  return Number.isInteger(n) && n > 0 ? n : 100
})()

/**
 * utime + stime of pid, in clock ticks: every thread's CPU time, those that have exited included
 * (/proc/<pid>/stat fields 14 and 15); NaN when unreadable.
 */
export function cpuTicks (pid: number): number {
  try {
    return parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch { return NaN }
}

/** utime + stime from a /proc/<pid>/stat line (the command name, in parentheses, may hold spaces and parentheses). */
export function parseStatTicks (stat: string): number {
  // after the last ')' come field 3 (state) onwards: utime is field 14, stime 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/)
  return Number(fields[11]) + Number(fields[12])
}

/** VmRSS (resident now) and VmHWM (the highest it has been) of pid, in bytes; NaN when unreadable. */
export function vmStatus (pid: number): { rss: number, hwm: number } {
  try {
    return parseVmStatus(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch { return { rss: NaN, hwm: NaN } }
}

export function parseVmStatus (status: string): { rss: number, hwm: number } {
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}
