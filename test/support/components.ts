import { spawnSync } from 'node:child_process'
import type { Test } from 'tap'

/**
 * Real components (haproxy, nginx, mosquitto, promtool) are started by the tests. In CI (CI=true) a
 * missing one fails the test; locally the test is skipped with what to install.
 * Returns the binary's path, or undefined when the test must stop here.
 */
export function requireBinary (t: Test, name: string, debianPackage: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name} || ls /usr/sbin/${name} 2>/dev/null`], { encoding: 'utf8' })
  const path = found.stdout.trim().split('\n')[0]
  if (found.status === 0 && path !== undefined && path !== '') return path
  const msg = `${name} is not installed: apt-get install -y ${debianPackage}`
  if (process.env.CI === 'true') t.fail(msg)
  else t.plan(0, msg)
  return undefined
}
