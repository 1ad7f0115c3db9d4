import { spawn } from 'node:child_process'

export interface CommandResult {
  readonly ok: boolean
  readonly exitCode: number | null
  readonly timedOut: boolean
  /** the end of stdout + stderr (nginx -t explains itself on stderr) */
  readonly output: string
  readonly durationMs: number
}

const MAX_OUTPUT = 4096

/**
 * Runs an operator-configured command through /bin/sh (so `nginx -t -c ... -g 'pid ...;'` or
 * `systemctl reload nginx` work as written), in its own process group so a timeout kills the whole
 * command, not just the shell. Never throws.
 */
export async function runShell (command: string, timeoutMs: number): Promise<CommandResult> {
  const started = performance.now()
  return await new Promise<CommandResult>((resolve) => {
    let output = ''
    let timedOut = false
    const keep = (chunk: Buffer): void => { output = (output + chunk.toString('utf8')).slice(-MAX_OUTPUT) }
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    const timer = setTimeout(() => {
      timedOut = true
      try { if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL') } catch { /* already gone */ }
    }, timeoutMs)
    const done = (exitCode: number | null): void => {
      clearTimeout(timer)
      resolve({ ok: exitCode === 0 && !timedOut, exitCode, timedOut, output: output.trim(), durationMs: performance.now() - started })
    }
    child.on('error', (err) => { output += String(err.message); done(null) })
    child.on('close', (code) => { done(code) })
  })
}
