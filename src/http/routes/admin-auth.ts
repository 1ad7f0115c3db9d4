import { createHash, timingSafeEqual } from 'node:crypto'
import type { Secret } from '../../config/secret.js'

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/**
 * `Authorization: Bearer <token>` checked in constant time. Both sides are hashed first, so the
 * comparison always runs over 32 bytes: neither the token's length nor how much of a guess matched
 * shows in the timing, and a missing or malformed header costs the same as a wrong token.
 */
export function bearerChecker (token: Secret): (authorization: string | undefined) => boolean {
  const expected = sha256(token.reveal())
  return (authorization) => {
    const m = /^Bearer +(\S+) *$/i.exec(authorization ?? '')
    const same = timingSafeEqual(sha256(m?.[1] ?? ''), expected)
    return same && m !== null
  }
}
