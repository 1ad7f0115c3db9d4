import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { runCli } from '../support/sidecar-proc.js'
import { tempDir } from '../support/tmpdir.js'

t.test('--check-config finds what start-up would trip on, all at once, exit 2; start says the same', async (t) => {
  const dir = tempDir(t)
  const unreadable = join(dir, 'secret')
  writeFileSync(unreadable, 'a-secret-of-24-characters')
  chmodSync(unreadable, 0o000)
  const missing = join(dir, 'missing.pem')
  const args = ['--host', '127.0.0.1', '--port', '9400', '--agent-port', '9400', '--admin-port', '9401', '--admin-host', '127.0.0.1',
    '--emqx-url', 'https://127.0.0.1:18084', '--emqx-ca-file', missing, '--emqx-username', 'key', '--emqx-password-file', dir, '--admin-token-file', missing]
  const expected = [
    `--emqx-password-file: cannot read ${dir} (EISDIR)`,
    `--admin-token-file: cannot read ${missing} (ENOENT)`,
    `--emqx-ca-file: cannot read ${missing} (ENOENT)`,
    '--agent-port and --port both listen on 127.0.0.1:9400',
  ]
  for (const [what, extra] of [['--check-config', ['--check-config']], ['start', []]] as const) {
    const r = await runCli([...args, ...extra])
    t.equal(r.code, 2, `${what}: exit 2`)
    t.equal(r.stdout, '', `${what}: nothing on stdout`)
    for (const line of expected) t.ok(r.stderr.includes(`  - ${line}\n`), `${what}: ${line}`)
    t.equal(r.stderr.split('\n  - ').length - 1, expected.length, `${what}: those problems and no others (an unreadable file is one problem)`)
    t.notMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`)
  }
  // root reads a 0000 file anyway; elsewhere an unreadable password file is named like a missing one
  if (process.getuid?.() !== 0) {
    const r = await runCli(['--check-config', '--emqx-username', 'key', '--emqx-password-file', unreadable])
    t.equal(r.code, 2)
    t.match(r.stderr, `--emqx-password-file: cannot read ${unreadable} (EACCES)`)
    t.notMatch(r.stderr, /no password/, 'the cause once: not also "--emqx-username is set but no password"')
  }
})
