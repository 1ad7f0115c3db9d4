import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NODE_FLAGS } from '../src/node-flags.js'
import { outputOf } from './support/child-output.js'
import { CLI } from './support/sidecar-proc.js'
import { tempDir } from './support/tmpdir.js'

/**
 * The `emqx-lb-sidecar` binary as users run it (npm's bin link, npx) starts node with src/node-flags.ts's
 * flags, through the shebang of dist/cli.js. test/docker/dockerfile.test.ts checks the line itself; this
 * runs it: a preload (NODE_OPTIONS, which never shows in execArgv) reports the sidecar process's
 * process.execArgv and exits before the CLI does anything.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const MARK = 'EXEC_ARGV '

async function execArgvOf (t: Test, cmd: string, args: string[], env: Record<string, string>): Promise<string[]> {
  const dir = tempDir(t, 'els-flags-')
  const preload = join(dir, 'report-exec-argv.mjs')
  // only the process started from the binary reports (npx itself is a node process too)
  writeFileSync(preload, `if (/(emqx-lb-sidecar|cli\\.js)$/.test(process.argv[1] ?? '')) { process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify(process.execArgv) + '\\n'); process.exit(0) }\n`)
  const child = spawn(cmd, args, {
    cwd: ROOT,
    // the shebang's `node` is the runtime running this test
    env: { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, HOME: dir, NODE_OPTIONS: `--import=${preload}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const { code, out } = await outputOf(child, 30_000)
  const line = out.split('\n').find((l) => l.startsWith(MARK))
  if (line === undefined) throw new Error(`${cmd} ${args.join(' ')} exited ${String(code)} without the sidecar process reporting its flags: ${out.slice(-2000)}`)
  return JSON.parse(line.slice(MARK.length)) as string[]
}

t.test('through npm\'s bin link (a global or project install), the binary runs node with NODE_FLAGS', async (t) => {
  const dir = tempDir(t, 'els-bin-')
  const bin = join(dir, 'node_modules', '.bin')
  mkdirSync(bin, { recursive: true })
  // what npm's bin-links does on install: a symlink to the package's bin file, made executable
  symlinkSync(CLI, join(bin, 'emqx-lb-sidecar'))
  chmodSync(CLI, statSync(CLI).mode | 0o111)
  t.same(await execArgvOf(t, join(bin, 'emqx-lb-sidecar'), ['--version'], {}), NODE_FLAGS)
})

t.test('`npx emqx-lb-sidecar` in a checkout runs node with NODE_FLAGS (offline, private npm cache)', async (t) => {
  const cache = tempDir(t, 'els-npx-')
  // npm's npx from PATH (a bare node binary has none); its own `node` is the runtime running this test
  t.same(await execArgvOf(t, 'npx', ['--offline', 'emqx-lb-sidecar', '--version'], { npm_config_cache: cache, npm_config_update_notifier: 'false' }), NODE_FLAGS)
})
