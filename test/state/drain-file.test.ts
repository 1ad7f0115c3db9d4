import t from 'tap'
import pino from 'pino'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DrainFileWatcher } from '../../src/state/drain-file.js'
import { Store } from '../../src/state/store.js'
import { applyCheck, initialSnapshot } from '../../src/state/transition.js'
import { nextEvent } from '../support/wait.js'

t.test('the drain file drains while it exists, whatever EMQX says', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'drain-file-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'drain')
  writeFileSync(path, '')
  const store = new Store(applyCheck(initialSnapshot(0), { outcome: { kind: 'available' }, at: 1, durationMs: 1 }, 3))
  const watcher = new DrainFileWatcher({ path, store, log: pino({ level: 'silent' }), intervalMs: 20 })
  t.teardown(() => watcher.stop())
  await watcher.start()
  t.match(store.current, { state: 'draining', reason: 'drain_file', overrides: { drainFile: { by: 'file' } } }, 'already draining when start() returns (file present at start-up)')
  rmSync(path)
  await nextEvent(store, 'update', (s: { state: string }) => s.state === 'up', 2000, 'up once the file is removed')
  writeFileSync(path, 'any content')
  await nextEvent(store, 'update', (s: { reason: string }) => s.reason === 'drain_file', 2000, 'draining again')
})
