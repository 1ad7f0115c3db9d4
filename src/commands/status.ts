import { request } from 'undici'
import { helpText } from '../config/help.js'
import { parseOptions } from '../config/parse.js'
import { statusOptions } from './status-options.js'
import { ConfigError } from '../errors.js'
import type { ReceivedStatus } from '../http/views/status-types.js'
import { formatStatus } from './status-format.js'

const NOT_A_SIDECAR = 'is --url an emqx-lb-sidecar (its --port, default 9183) and not EMQX or another service?'

/**
 * A sidecar's /status: JSON with a state and a reason; undefined for anything else (an HTML page, another
 * API). Only that much is checked: the formatter reads every other field as possibly missing or malformed.
 */
export function parseSidecarStatus (text: string): ReceivedStatus | undefined {
  let doc: unknown
  try { doc = JSON.parse(text) } catch { return undefined }
  return isSidecarStatus(doc) ? doc : undefined
}

function isSidecarStatus (doc: unknown): doc is ReceivedStatus {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) &&
    'state' in doc && typeof doc.state === 'string' && 'reason' in doc && typeof doc.reason === 'string'
}

/** `emqx-lb-sidecar status`: the node's and cluster's drain state, from a running sidecar. Exit 1 when unreachable. */
export async function statusMain (argv: string[]): Promise<number> {
  const parsed = parseOptions(statusOptions, argv, process.env)
  if (parsed.actions.help) {
    const summary = 'Prints the node and cluster drain state reported by a running sidecar (like emqx_ctl rebalance node-status).'
    process.stdout.write(helpText('emqx-lb-sidecar status [options]', summary, statusOptions))
    return 0
  }
  if (parsed.problems.length > 0) throw new ConfigError(parsed.problems)
  const v = parsed.values
  const base = v['url']
  const timeout = v['timeout']
  const url = new URL('status', base.href.endsWith('/') ? base.href : `${base.href}/`)
  let doc: ReceivedStatus
  try {
    const res = await request(url, { signal: AbortSignal.timeout(timeout), headersTimeout: timeout, bodyTimeout: timeout })
    if (res.statusCode !== 200) {
      await res.body.dump()
      process.stderr.write(`emqx-lb-sidecar status: ${url.href} answered ${res.statusCode}: ${NOT_A_SIDECAR}\n`)
      return 1
    }
    const text = await res.body.text()
    const parsed = parseSidecarStatus(text)
    if (parsed === undefined) {
      const type = String(res.headers['content-type'] ?? 'no content type').split(';')[0] ?? ''
      process.stderr.write(`emqx-lb-sidecar status: ${url.href} answered 200 ${type}, not a sidecar /status document: ${NOT_A_SIDECAR}\n`)
      return 1
    }
    doc = parsed
  } catch (err) {
    const e = err as { code?: string, name?: string }
    process.stderr.write(`emqx-lb-sidecar status: cannot read ${url.href} (${e.code ?? e.name ?? 'error'})\n`)
    return 1
  }
  process.stdout.write(v.json ? `${JSON.stringify(doc, null, 2)}\n` : formatStatus(doc))
  return 0
}
