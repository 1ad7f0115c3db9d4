#!/usr/bin/env -S node --optimize-for-size --liftoff-only
// first: before any other module runs and before the first GCs (tick-map.ts says why)
import './tick-map.js'
import { ConfigError, SidecarError } from './errors.js'
import { VERSION } from './version.js'
import { closest } from './config/suggest.js'

/**
 * `emqx-lb-sidecar [serve] [flags]` runs the sidecar; other commands are tools around it.
 * Exit codes: 0 ok, 1 runtime failure, 2 invalid configuration or usage.
 * Each command's module is loaded only when it runs: the long-running sidecar does not carry the
 * EMQX simulator, the demo or nginx-sync in memory.
 */
interface Command {
  /** one line for the command list of `--help` */
  readonly summary: string
  readonly main: (argv: string[]) => Promise<number>
}

const SERVE: Command = {
  summary: 'the sidecar: polls the local EMQX node, answers load-balancer probes from memory (the default command)',
  main: async (argv) => await (await import('./commands/serve.js')).serveMain(argv),
}

const COMMANDS: Record<string, Command> = {
  serve: SERVE,
  status: {
    summary: 'the node\'s and the cluster\'s drain state, from a running sidecar',
    main: async (argv) => await (await import('./commands/status.js')).statusMain(argv),
  },
  simulate: {
    summary: 'a simulated EMQX node\'s HTTP API, to rehearse without EMQX',
    main: async (argv) => await (await import('./commands/simulate.js')).simulateMain(argv),
  },
  demo: {
    summary: 'a local HAProxy rehearsal with three simulated nodes, live table and keys (needs haproxy, mosquitto)',
    main: async (argv) => await (await import('./commands/demo.js')).demoMain(argv),
  },
  doctor: {
    summary: 'checks haproxy.cfg, nginx and Kubernetes configs for what defeats a drain (no check, slow checks, shutdown-sessions, ...)',
    main: async (argv) => await (await import('./commands/doctor.js')).doctorMain(argv),
  },
  'nginx-sync': {
    summary: 'beside open-source nginx: keeps its upstream (or njs state file) in line with every node\'s sidecar',
    main: async (argv) => await (await import('./commands/nginx-sync.js')).nginxSyncMain(argv),
  },
}

/** The command list, git/kubectl style: one line each. */
function commandList (): string {
  const rows: Array<[string, string]> = [
    ...Object.entries(COMMANDS).map(([name, c]): [string, string] => [name, c.summary]),
    ['help [command]', 'this help, or a command\'s help (the same as <command> --help)'],
  ]
  const width = Math.max(...rows.map(([name]) => name.length)) + 3
  return `Commands:\n${rows.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`).join('\n')}\n`
}

/**
 * `--help` without a command, and `help`: the commands, then the options of serve, the default command.
 * One write, so that `--help | head` ends quietly, as serve's own help always did.
 */
async function topLevelHelp (): Promise<number> {
  const { serveHelp } = await import('./commands/serve.js')
  process.stdout.write('Usage: emqx-lb-sidecar [command] [options]\n\n' +
    'Tells load balancers whether this EMQX node should get new MQTT connections.\n\n' +
    `${commandList()}\n` +
    'Run `emqx-lb-sidecar help <command>` (or `emqx-lb-sidecar <command> --help`) for a command\'s options.\n' +
    'Without a command, emqx-lb-sidecar runs serve; its options:\n\n' + serveHelp())
  return 0
}

function unknownCommand (name: string): number {
  const guess = closest(name, [...Object.keys(COMMANDS), 'help'])
  const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`
  process.stderr.write(`emqx-lb-sidecar: unknown command "${name}"${hint}\n\n${commandList()}\nSee emqx-lb-sidecar --help.\n`)
  return 2
}

/** `help`, `help <command>`: the top-level help, or that command's own `--help`. */
async function help (name: string | undefined): Promise<number> {
  if (name === undefined || name === 'help') return await topLevelHelp()
  const command = COMMANDS[name]
  return command === undefined ? unknownCommand(name) : await command.main(['--help'])
}

export async function run (argv: string[]): Promise<number> {
  const first = argv[0]
  if (first === '--version' || first === '-v') { process.stdout.write(`${VERSION}\n`); return 0 }
  const named = first !== undefined && !first.startsWith('-')
  try {
    if (first === 'help') return await help(argv[1])
    if (!named && argv.some((a) => a === '--help' || a === '-h')) return await topLevelHelp()
    const name = named ? first : 'serve'
    const command = COMMANDS[name]
    if (command === undefined) return unknownCommand(name)
    return await command.main(named ? argv.slice(1) : argv)
  } catch (err) {
    // a SidecarError's code comes first (docs/errors.md): SIDECAR_ERR_CONFIG_INVALID: invalid configuration: ...
    if (err instanceof SidecarError) {
      // a flag the command does not know: point at where its flags are listed
      const unknown = err instanceof ConfigError && err.problems.some((p) => p.startsWith('unknown flag'))
      const more = unknown ? `Run emqx-lb-sidecar ${named ? `${first} ` : ''}--help for the flags.\n` : ''
      process.stderr.write(`emqx-lb-sidecar: ${err.code}: ${err.message}\n${more}`)
      return err instanceof ConfigError ? 2 : 1
    }
    const e = err as { code?: string, message?: string }
    process.stderr.write(`emqx-lb-sidecar: ${e.code !== undefined ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`)
    return 1
  }
}

const code = await run(process.argv.slice(2))
if (code !== -1) process.exitCode = code
