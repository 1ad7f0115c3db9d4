import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { isMainThread } from 'node:worker_threads'
import { requireChains, type ModuleList } from './module-chains.js'

/**
 * Preloaded into a sidecar (`node --import=...`): on SIGUSR2 (sent by the bench a few polls after the
 * sidecar listens) it collects garbage, notes the main thread's memory, then lists every script V8 holds (the inspector's
 * Debugger.scriptParsed, replayed on enable: ES modules, CommonJS files, WebAssembly) and every CommonJS
 * module with the module whose require() loaded it first, and writes all of it to MODULE_LIST_OUT as JSON.
 * Nothing is set up before that moment (the gc function's context, the inspector), so none of it is in the figures.
 */
async function list (): Promise<ModuleList> {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  gc()
  const { rss, heapUsed } = process.memoryUsage()
  const cjs = requireChains(createRequire(import.meta.url).cache)
  const { Session } = await import('node:inspector')
  const session = new Session()
  session.connect()
  const scripts: string[] = []
  session.on('Debugger.scriptParsed', (m) => { scripts.push(m.params.url) })
  const post = async (method: string): Promise<void> => {
    await new Promise<void>((resolve, reject) => { session.post(method, (err) => { if (err !== null) reject(err); else resolve() }) })
  }
  await post('Debugger.enable')
  await post('Debugger.disable')
  session.disconnect()
  return { rss, heapUsed, scripts, cjs }
}

const out = process.env.MODULE_LIST_OUT
// the main thread only (a preload runs in worker threads too)
if (out !== undefined && isMainThread) {
  const write = (v: unknown): void => { writeFileSync(out, JSON.stringify(v)) }
  process.once('SIGUSR2', () => {
    list().then(write, (err: unknown) => { write({ error: String(err) }) })
  })
}
