import t from 'tap'
import { closest } from '../../src/config/suggest.js'
import { loadServeConfig } from '../../src/config/serve-config.js'
import { ConfigError } from '../../src/errors.js'
import { runCli } from '../support/sidecar-proc.js'

t.test('closest: a typo finds its name; a stranger finds none', async (t) => {
  const flags = ['poll-interval', 'emqx-url', 'emqx-timeout', 'port', 'agent-port']
  t.equal(closest('poll-intervall', flags), 'poll-interval', 'one letter too many')
  t.equal(closest('pol-interval', flags), 'poll-interval', 'one letter missing')
  t.equal(closest('emqx-ulr', flags), 'emqx-url', 'two letters swapped')
  t.equal(closest('prot', flags), 'port', 'a swap in a short name')
  t.equal(closest('bogus', flags), undefined, 'nothing close')
  t.equal(closest('x', flags), undefined)
})

t.test('an unknown flag names the flag it was probably meant to be', async (t) => {
  const err = t.throws(() => loadServeConfig(['--poll-intervall', '2s'], {})) as ConfigError
  t.same(err.problems, ['unknown flag --poll-intervall (did you mean --poll-interval?)'], 'one problem: the value went with the flag')
  const file = t.throws(() => loadServeConfig(['--emqx-pasword-file', '/p'], {})) as ConfigError
  t.match(file.problems[0], /did you mean --emqx-password-file\?/, 'the -file form of a secret too')
})

t.test('the CLI: "did you mean" for flags and commands, and where the flags are listed', async (t) => {
  const flag = await runCli(['--poll-intervall', '2s'])
  t.equal(flag.code, 2)
  t.match(flag.stderr, /unknown flag --poll-intervall \(did you mean --poll-interval\?\)\nRun emqx-lb-sidecar --help for the flags\.\n$/)
  const sub = await runCli(['status', '--urll', 'http://127.0.0.1:9183'])
  t.equal(sub.code, 2)
  t.match(sub.stderr, /did you mean --url\?\)\nRun emqx-lb-sidecar status --help for the flags\./, 'the command\'s own --help')
  const command = await runCli(['statsu'])
  t.equal(command.code, 2)
  t.match(command.stderr, /^emqx-lb-sidecar: unknown command "statsu" \(did you mean "status"\?\)/)
})
