import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { requireBinary } from './components.js'

export interface TestCert { readonly key: string, readonly cert: string, readonly certFile: string }

/**
 * A self-signed certificate for 127.0.0.1/localhost made with openssl at test time (no keys in the
 * repository), as an EMQX dashboard with its own certificate would present. Removed after the test.
 */
export function selfSignedCert (t: Test): TestCert | undefined {
  const openssl = requireBinary(t, 'openssl', 'openssl')
  if (openssl === undefined) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const r = spawnSync(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=emqx-test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`)
  const certFile = join(dir, 'cert.pem')
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile }
}

/** A self-signed certificate + key for localhost as one PEM (HAProxy's `crt` format); undefined without openssl. */
export function selfSignedPem (t: Test, dir: string): string | undefined {
  const openssl = requireBinary(t, 'openssl', 'openssl')
  if (openssl === undefined) return undefined
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' })
  const pem = join(dir, 'mqtt.pem')
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'))
  return pem
}
