import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { serveOptions } from '../../src/config/options.js'
import { envName } from '../../src/config/table.js'
import { parseDuration } from '../../src/duration.js'
import { kustomize, type K8sObject } from '../support/kustomize.js'
import { requireBinary } from '../support/components.js'
import { startDouble } from '../support/emqx-double.js'
import { startSidecar } from '../support/sidecar-proc.js'
import { waitFor } from '../support/wait.js'

/**
 * deploy/overlays/evacuate-on-shutdown: the preStop hook is wired to the sidecar that exists (its
 * command, run for real with bash against a running sidecar, evacuates and waits), the token comes
 * from a file both containers mount, and terminationGracePeriodSeconds covers the evacuation deadline.
 */
const DIR = fileURLToPath(new URL('../../deploy/overlays/evacuate-on-shutdown/', import.meta.url))

interface Container { name: string, env?: Array<{ name: string, value?: string }>, volumeMounts?: Array<{ name: string, mountPath: string, readOnly?: boolean }>, lifecycle?: { preStop?: { exec?: { command: string[] } } } }
type StatefulSet = K8sObject & { spec: { template: { spec: { terminationGracePeriodSeconds?: number, containers: Container[], volumes: Array<{ name: string, secret?: { secretName: string, items?: Array<{ key: string, path: string }> } }> } } } }

const sts = kustomize(DIR).find((o) => o.kind === 'StatefulSet') as StatefulSet
const pod = sts.spec.template.spec
const emqx = pod.containers.find((c) => c.name === 'emqx') as Container
const sidecar = pod.containers.find((c) => c.name === 'lb-sidecar') as Container
const env = (name: string): string | undefined => sidecar.env?.find((e) => e.name === envName(name))?.value
const option = (flag: string): string | undefined => env(flag) ?? serveOptions.find((o) => o.flag === flag)?.default
const command = emqx.lifecycle?.preStop?.exec?.command ?? []
const tokenFile = env('admin-token') === undefined ? sidecar.env?.find((e) => e.name === `${envName('admin-token')}_FILE`)?.value : undefined
const adminPort = Number(env('admin-port'))

t.test('the token file is the same Secret file in both containers, never an env value', async (t) => {
  t.ok(tokenFile !== undefined, 'SIDECAR_ADMIN_TOKEN_FILE set')
  t.equal(env('admin-token'), undefined, 'no SIDECAR_ADMIN_TOKEN value in the spec')
  const mountOf = (c: Container): { name: string, mountPath: string, readOnly?: boolean } | undefined => c.volumeMounts?.find((m) => tokenFile?.startsWith(`${m.mountPath}/`) === true)
  const m1 = mountOf(sidecar)
  const m2 = mountOf(emqx)
  t.ok(m1?.readOnly === true && m2?.readOnly === true, 'read-only in both containers')
  t.equal(m1?.name, m2?.name)
  const vol = pod.volumes.find((v) => v.name === m1?.name)
  t.equal(vol?.secret?.secretName, 'emqx-lb-sidecar-admin')
  t.ok(command.join(' ').includes(tokenFile ?? '\0'), 'the hook reads that file')
  t.equal(env('admin-host'), undefined, 'admin listener on its loopback default')
  t.equal(env('evacuation-stop-on-start'), 'true', 'a restarted pod stops the evacuation EMQX resumes, or the rollout stalls')
  t.ok(command.join(' ').includes(`/dev/tcp/127.0.0.1/${adminPort}`), `the hook calls the admin port ${adminPort} on loopback`)
})

t.test('terminationGracePeriodSeconds covers the evacuation deadline, the shutdown delay and EMQX\'s stop', async (t) => {
  const deadline = (parseDuration(option('evacuation-timeout') ?? '') ?? NaN) / 1000
  const delay = (parseDuration(option('shutdown-delay') ?? '') ?? NaN) / 1000
  const grace = pod.terminationGracePeriodSeconds ?? 30
  t.ok(grace >= deadline + delay + 15, `grace ${grace} s >= deadline ${deadline} s + shutdown delay ${delay} s + 15 s for EMQX to stop`)
  const budget = (parseDuration(option('wait-health-check') ?? '') ?? NaN) / 1000 + (parseDuration(option('evacuation-wait-takeover') ?? '') ?? NaN) / 1000
  t.ok(deadline > budget, `deadline ${deadline} s leaves time for eviction after wait_health_check + wait_takeover (${budget} s)`)
})

t.test('the preStop command, run by bash against a running sidecar, evacuates and returns once EMQX is done', async (t) => {
  const bash = requireBinary(t, 'bash', 'bash')
  if (bash === undefined) return
  t.equal(command[0], '/bin/bash')
  const dir = mkdtempSync(join(tmpdir(), 'prestop-hook-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const token = join(dir, 'token')
  writeFileSync(token, 'hook-test-token-0123456789\n')
  const sim = await startDouble(t, { profile: 'v5', connections: 50, timeScale: 20 })
  // The overlay's settings, except paths, ports and durations scaled for a test.
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--poll-interval', '100ms', '--shutdown-delay', '0s', '--admin-port', '0',
    '--wait-health-check', '10s', '--evacuation-wait-takeover', '10s'],
  { SIDECAR_EMQX_USERNAME: 'admin', SIDECAR_EMQX_PASSWORD: 'public', SIDECAR_ADMIN_TOKEN_FILE: token })
  const admin = await sc.waitForLog((l) => l.event === 'admin_listening', 5000, 'admin listener')
  await waitFor(async () => { const r = await request(`${sc.url}/readyz`); await r.body.dump(); return r.statusCode }, (s) => s === 200, { what: 'ready', timeoutMs: 5000 })
  const script = (command[2] ?? '').replaceAll(tokenFile ?? '\0', token).replace(`/dev/tcp/127.0.0.1/${adminPort}`, `/dev/tcp/127.0.0.1/${admin.port as number}`)
  const started = performance.now()
  const hook = spawn(bash, [command[1] ?? '-c', script], { stdio: 'ignore' })
  const [code] = await once(hook, 'exit') as [number | null]
  const took = performance.now() - started
  t.equal(code, 0, 'the hook succeeds (200)')
  t.match(sim.process, { kind: 'evacuation', state: /^(waiting_takeover|evicting_sessions|prohibiting)$/ }, 'EMQX was evacuating when the hook returned')
  t.equal(sim.counts.connections + sim.counts.sessions, 0, '...and the node was empty')
  t.ok(took > 400, `the hook waited ${Math.round(took)}ms for the evacuation`)

  sim.stopProcess()
  await request(`http://127.0.0.1:${admin.port as number}/admin/evacuate/stop`, { method: 'POST', headers: { authorization: 'Bearer hook-test-token-0123456789' } }).then(async (r) => { await r.body.dump() })
  await sim.setFault('rpc_error')
  const failing = spawn(bash, [command[1] ?? '-c', script], { stdio: 'ignore' })
  const [failed] = await once(failing, 'exit') as [number | null]
  t.not(failed, 0, 'a failed evacuation fails the hook (the kubelet records FailedPreStopHook)')
})
