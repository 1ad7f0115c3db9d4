import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { requireBinary } from './components.js'

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
