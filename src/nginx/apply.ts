import { randomBytes } from 'node:crypto'
import { chmod, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { runShell, type CommandResult } from './shell.js'

export type ApplyStage = 'write' | 'check' | 'reload'

export type ApplyResult =
  | { readonly ok: true, readonly checkMs: number, readonly reloadMs: number }
  | { readonly ok: false, readonly stage: ApplyStage, readonly detail: string, readonly restored: boolean }

export interface ApplyOptions {
  readonly output: string
  readonly checkCommand: string
  readonly reloadCommand: string
  readonly commandTimeoutMs: number
  /** injectable for tests of the failure paths */
  readonly run?: (command: string, timeoutMs: number) => Promise<CommandResult>
}

/** The current file, or undefined when there is none yet. Other read errors propagate. */
export async function readCurrent (path: string): Promise<string | undefined> {
  try { return await readFile(path, 'utf8') } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * Write to a temporary file in the same directory, then rename over the target: nginx (or an
 * operator's `nginx -t`) never reads a half-written upstream, and rename is atomic on one file system.
 */
export async function writeAtomic (path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await writeFile(tmp, text, { mode: 0o644 })
    await chmod(tmp, 0o644)
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw err
  }
}

function describe (r: CommandResult, timeoutMs: number): string {
  if (r.timedOut) return `timed out after ${timeoutMs}ms${r.output !== '' ? `: ${r.output}` : ''}`
  return `exit code ${r.exitCode ?? 'none'}${r.output !== '' ? `: ${r.output}` : ''}`
}

/**
 * Write -> `nginx -t` -> reload. If the check fails, the previous file is put back (or the new one
 * removed when there was none), so the next nginx reload by anyone loads a config that worked.
 * A failed reload keeps the checked file: it is valid, and the next attempt reloads again.
 */
export async function applyUpstream (text: string, o: ApplyOptions): Promise<ApplyResult> {
  const run = o.run ?? runShell
  let previous: string | undefined
  try {
    previous = await readCurrent(o.output)
    await writeAtomic(o.output, text)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return { ok: false, stage: 'write', detail: `cannot write ${o.output}: ${e.code ?? e.message}`, restored: false }
  }
  const check = await run(o.checkCommand, o.commandTimeoutMs)
  if (!check.ok) {
    let restored = true
    try {
      if (previous !== undefined) await writeAtomic(o.output, previous)
      else await unlink(o.output)
    } catch { restored = false }
    return { ok: false, stage: 'check', detail: describe(check, o.commandTimeoutMs), restored }
  }
  const reload = await run(o.reloadCommand, o.commandTimeoutMs)
  if (!reload.ok) return { ok: false, stage: 'reload', detail: describe(reload, o.commandTimeoutMs), restored: false }
  return { ok: true, checkMs: check.durationMs, reloadMs: reload.durationMs }
}
