import t from 'tap'
import type { Test } from 'tap'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyUpstream, writeAtomic } from '../../src/nginx/apply.js'
import { runShell } from '../../src/nginx/shell.js'

function tmp (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'apply-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

t.test('write, check, reload: commands run in that order, after the file is in place', async (t) => {
  const dir = tmp(t)
  const out = join(dir, 'up.conf')
  const log = join(dir, 'log')
  const r = await applyUpstream('NEW\n', { output: out, checkCommand: `cat ${out} > ${log}; echo check >> ${log}`, reloadCommand: `echo reload >> ${log}`, commandTimeoutMs: 5000 })
  t.equal(r.ok, true)
  t.equal(readFileSync(out, 'utf8'), 'NEW\n')
  t.equal(readFileSync(log, 'utf8'), 'NEW\ncheck\nreload\n', 'the check saw the new file; the reload ran after it')
  t.same(readdirSync(dir).sort(), ['log', 'up.conf'], 'no temporary file left behind')
})

t.test('a failed check restores the previous file and does not reload', async (t) => {
  const dir = tmp(t)
  const out = join(dir, 'up.conf')
  writeFileSync(out, 'OLD\n')
  const marker = join(dir, 'reloaded')
  const r = await applyUpstream('BAD\n', { output: out, checkCommand: 'echo "nginx: [emerg] unexpected end of file" >&2; exit 1', reloadCommand: `touch ${marker}`, commandTimeoutMs: 5000 })
  t.same(r, { ok: false, stage: 'check', detail: 'exit code 1: nginx: [emerg] unexpected end of file', restored: true })
  t.equal(readFileSync(out, 'utf8'), 'OLD\n')
  t.same(readdirSync(dir), ['up.conf'], 'no reload ran')
})

t.test('a failed check with no previous file removes the new one', async (t) => {
  const dir = tmp(t)
  const out = join(dir, 'up.conf')
  const r = await applyUpstream('BAD\n', { output: out, checkCommand: 'false', reloadCommand: 'true', commandTimeoutMs: 5000 })
  t.match(r, { ok: false, stage: 'check', restored: true })
  t.same(readdirSync(dir), [])
})

t.test('a failed reload keeps the checked file and says why', async (t) => {
  const dir = tmp(t)
  const out = join(dir, 'up.conf')
  const r = await applyUpstream('NEW\n', { output: out, checkCommand: 'true', reloadCommand: 'echo "nginx: [error] invalid PID number" >&2; exit 1', commandTimeoutMs: 5000 })
  t.match(r, { ok: false, stage: 'reload', detail: /invalid PID number/ })
  t.equal(readFileSync(out, 'utf8'), 'NEW\n')
})

t.test('an unwritable output is a write failure, not a throw', async (t) => {
  const r = await applyUpstream('X', { output: join(tmp(t), 'missing-dir', 'up.conf'), checkCommand: 'true', reloadCommand: 'true', commandTimeoutMs: 5000 })
  t.match(r, { ok: false, stage: 'write', detail: /ENOENT/ })
})

t.test('a hanging command is killed with its children at the timeout', async (t) => {
  const started = performance.now()
  const r = await runShell('sleep 30 & sleep 30; echo never', 200)
  t.equal(r.ok, false)
  t.equal(r.timedOut, true)
  t.ok(performance.now() - started < 5000, 'did not wait for the command')
})

t.test('writeAtomic replaces the file in one step', async (t) => {
  const dir = tmp(t)
  const out = join(dir, 'f')
  writeFileSync(out, 'a')
  await writeAtomic(out, 'b')
  t.equal(readFileSync(out, 'utf8'), 'b')
  t.same(readdirSync(dir), ['f'])
})
