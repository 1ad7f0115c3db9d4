#!/usr/bin/env -S node --optimize-for-size
import { ConfigError } from './errors.js'
import { VERSION } from './version.js'

/**
 * `emqx-lb-sidecar [serve] [flags]` runs the sidecar; other commands are tools around it.
 * Exit codes: 0 ok, 1 runtime failure, 2 invalid configuration or usage.
 * Each command's module is loaded only when it runs: the long-running sidecar does not carry the
 * EMQX simulator, the demo or nginx-sync in memory.
 */
const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  serve: async (argv) => await (await import('./commands/serve.js')).serveMain(argv),
  status: async (argv) => await (await import('./commands/status.js')).statusMain(argv),
  simulate: async (argv) => await (await import('./commands/simulate.js')).simulateMain(argv),
  demo: async (argv) => await (await import('./commands/demo.js')).demoMain(argv),
  'nginx-sync': async (argv) => await (await import('./commands/nginx-sync.js')).nginxSyncMain(argv),
}

export async function run (argv: string[]): Promise<number> {
  const first = argv[0]
  if (first === '--version' || first === '-v') { process.stdout.write(`${VERSION}\n`); return 0 }
  const command = first !== undefined && !first.startsWith('-') ? first : 'serve'
  const rest = command === first ? argv.slice(1) : argv
  const main = COMMANDS[command]
  if (main === undefined) {
    process.stderr.write(`emqx-lb-sidecar: unknown command "${command}"; commands: ${Object.keys(COMMANDS).join(', ')} (see --help)\n`)
    return 2
  }
  try {
    return await main(rest)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`emqx-lb-sidecar: ${err.message}\n`)
      return 2
    }
    const e = err as { code?: string, message?: string }
    process.stderr.write(`emqx-lb-sidecar: ${e.code !== undefined ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`)
    return 1
  }
}

const code = await run(process.argv.slice(2))
if (code !== -1) process.exitCode = code
