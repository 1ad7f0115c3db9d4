import t from 'tap'
import { classifyTransportError, errorCode } from '../src/transport-error.js'

const withCode = (code: string, name = 'Error'): Error => Object.assign(new Error('x'), { code, name })

t.test('transport errors are named by their code, on the error or its cause', async (t) => {
  const cases: ReadonlyArray<readonly [string, unknown, string]> = [
    ['timeout', Object.assign(new Error('x'), { name: 'TimeoutError' }), 'TimeoutError'],
    ['timeout', Object.assign(new Error('x'), { name: 'AbortError' }), 'AbortError'],
    ['timeout', withCode('UND_ERR_HEADERS_TIMEOUT'), 'UND_ERR_HEADERS_TIMEOUT'],
    ['timeout', withCode('ETIMEDOUT'), 'ETIMEDOUT'],
    ['refused', new Error('fetch failed', { cause: withCode('ECONNREFUSED') }), 'ECONNREFUSED'],
    ['dns', withCode('ENOTFOUND'), 'ENOTFOUND'],
    ['dns', withCode('EAI_AGAIN'), 'EAI_AGAIN'],
    ['tls', withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['tls', withCode('ERR_SSL_WRONG_VERSION_NUMBER'), 'ERR_SSL_WRONG_VERSION_NUMBER'],
    ['reset', withCode('ECONNRESET'), 'ECONNRESET'],
    ['reset', withCode('UND_ERR_SOCKET'), 'UND_ERR_SOCKET'],
    ['reset', withCode('UND_ERR_CLOSED'), 'UND_ERR_CLOSED'],
    ['transport', withCode('EHOSTUNREACH'), 'EHOSTUNREACH'],
    ['transport', new TypeError('odd'), 'TypeError'],
  ]
  for (const [reason, err, what] of cases) t.same(classifyTransportError(err), { reason, what }, `${what} -> ${reason}`)
})

t.test('whatever is thrown, a reason comes back (never a throw)', async (t) => {
  t.same(classifyTransportError(undefined), { reason: 'transport', what: 'unknown error' })
  t.same(classifyTransportError(null), { reason: 'transport', what: 'unknown error' })
  t.same(classifyTransportError({ code: 42 }), { reason: 'transport', what: 'unknown error' }, 'a numeric code is not a code')
  t.equal(errorCode({ cause: { code: 'EPIPE' } }), 'EPIPE')
})
