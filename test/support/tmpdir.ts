import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'

/**
 * A fresh directory under the OS temp dir, removed when the test ends. Not tap's testdir: unix socket
 * paths (HAProxy's stats socket) must stay under ~104 bytes.
 */
export function tempDir (t: Test, prefix = 'els-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
