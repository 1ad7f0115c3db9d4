// The CLI's help (its own file: a dozen CLI starts, apart from test/cli.test.ts's sidecar runs, so tap runs them side by side)
import t from 'tap'
import { runCli } from './support/sidecar-proc.js'

t.test('--help lists every flag with its environment variable', async (t) => {
  const r = await runCli(['--help'])
  t.equal(r.code, 0)
  for (const s of ['--emqx-url / SIDECAR_EMQX_URL', '--emqx-api-version', '--emqx-password-file / SIDECAR_EMQX_PASSWORD_FILE', '--poll-interval', '--emqx-timeout', '--port / SIDECAR_PORT  (default 9183)', '--host', '--log-level', '--check-config']) {
    t.match(r.stdout, s)
  }
})

const COMMANDS = ['serve', 'status', 'simulate', 'demo', 'doctor', 'nginx-sync']

t.test('--help lists the commands, one line each, then the options of serve (the default command)', async (t) => {
  const r = await runCli(['--help'])
  const list = r.stdout.slice(r.stdout.indexOf('Commands:'), r.stdout.indexOf('Usage: emqx-lb-sidecar [serve]'))
  for (const c of COMMANDS) t.match(list, new RegExp(`^  ${c} +\\S`, 'm'), `${c} has a line`)
  t.match(list, /^ {2}help \[command\] +\S/m)
  t.match(r.stdout, /emqx-lb-sidecar help <command>/, 'points at help <command>')
  t.ok(r.stdout.indexOf('Commands:') < r.stdout.indexOf('--emqx-url / SIDECAR_EMQX_URL'), 'commands first, serve\'s options after')
  const variants = [['help'], ['-h'], ['--port', '1', '--help']]
  const sames = await Promise.all(variants.map(async (args) => await runCli(args)))
  for (const [i, args] of variants.entries()) {
    const same = sames[i]
    if (same === undefined) throw new Error(`no run for ${args.join(' ')}`)
    t.equal(same.code, 0, args.join(' '))
    t.equal(same.stdout, r.stdout, `${args.join(' ')} is the top-level help`)
  }
})

t.test('help <command> is <command> --help', async (t) => {
  // the commands side by side: each is two CLI starts, about 2 s of CPU each on a loaded machine
  const runs = await Promise.all(COMMANDS.map(async (c) => await Promise.all([runCli(['help', c]), runCli([c, '--help'])])))
  for (const [i, c] of COMMANDS.entries()) {
    const [viaHelp, viaFlag] = runs[i] ?? []
    if (viaHelp === undefined || viaFlag === undefined) throw new Error(`no runs for ${c}`)
    t.equal(viaHelp.code, 0, `help ${c}: exit 0`)
    t.equal(viaHelp.stdout, viaFlag.stdout, `help ${c} = ${c} --help`)
    t.match(viaHelp.stdout, new RegExp(`^Usage: emqx-lb-sidecar ${c === 'serve' ? '\\[serve\\]' : c} `), `${c}'s own usage`)
    t.notMatch(viaHelp.stdout, /Commands:/, `help ${c} is that command's help only`)
  }
  t.match((await runCli(['help', 'status'])).stdout, /--url \/ SIDECAR_URL/)
})

t.test('help with an unknown command: exit 2 and the list of commands', async (t) => {
  const r = await runCli(['help', 'nosuch'])
  t.equal(r.code, 2)
  t.equal(r.stdout, '')
  t.match(r.stderr, /unknown command "nosuch"/)
  for (const c of COMMANDS) t.match(r.stderr, new RegExp(`^  ${c} `, 'm'))
})
