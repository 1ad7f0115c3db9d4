// Steps of `npm test` that run as processes of their own beside one another (test/loader/pretest.mjs, suite.mjs):
// each one's output is kept and given back when it ends, with whether it passed and how long it took.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const bin = (name) => `${ROOT}node_modules/.bin/${name}`

/** Runs one step, [name, command, args]; resolves { name, ok, text } once it has ended. */
export function runStep ([name, cmd, args]) {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const out = []
    child.stdout.on('data', (d) => out.push(d))
    child.stderr.on('data', (d) => out.push(d))
    child.on('error', (err) => resolve({ name, ok: false, text: `${name}: cannot start ${cmd} (${err.message})\n` }))
    child.on('close', (code, signal) => {
      const secs = ((performance.now() - started) / 1000).toFixed(1)
      const text = Buffer.concat(out).toString()
      const ok = code === 0
      resolve({ name, ok, text: `${ok ? 'ok' : 'FAILED'}: ${name}, ${secs} s${ok ? '' : ` (${signal ?? `exit ${code}`})`}\n${text}` })
    })
  })
}
