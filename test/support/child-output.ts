import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'

/** A child's exit code and its stdout and stderr as one text; past `limitMs` it is killed (SIGKILL, code null). */
export async function outputOf (child: ChildProcess, limitMs: number): Promise<{ code: number | null, out: string }> {
  let out = ''
  child.stdout?.setEncoding('utf8').on('data', (c: string) => { out += c })
  child.stderr?.setEncoding('utf8').on('data', (c: string) => { out += c })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, limitMs)
  const [code] = await once(child, 'exit') as [number | null]
  clearTimeout(timer)
  return { code, out }
}
