import { request } from 'undici'
import type { CheckerView, Received } from '../http/views/status-types.js'
import { DoctorInputError, finding, type Finding } from './finding.js'
import { showMs, type DoctorSettings } from './settings.js'

/** The checkers of a sidecar's /status (each field possibly missing: a sidecar of another version); undefined for anything else. */
function checkersOf (text: string): { readonly checkers?: readonly Received<CheckerView>[] } | undefined {
  let doc: unknown
  try { doc = JSON.parse(text) } catch { return undefined }
  if (typeof doc !== 'object' || doc === null || !('state' in doc) || !('checkers' in doc) || !Array.isArray(doc.checkers)) return undefined
  return { checkers: doc.checkers.filter((c): c is Received<CheckerView> => typeof c === 'object' && c !== null) }
}

/**
 * `--sidecar URL`: what a running sidecar has seen. Every checker it knows (HAProxy, the kubelet, a cloud
 * load balancer's probers) with its measured interval x fall, against the wait. Findings carry the
 * URL as their file and line 0.
 */
export async function liveFindings (base: URL, s: DoctorSettings, timeoutMs: number): Promise<Finding[]> {
  const url = new URL('status', base.href.endsWith('/') ? base.href : `${base.href}/`)
  let text: string
  try {
    const res = await request(url, { signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
    text = await res.body.text()
    if (res.statusCode !== 200) throw new DoctorInputError(url.href, undefined, `answered ${res.statusCode}, not a sidecar's /status`)
  } catch (err) {
    if (err instanceof DoctorInputError) throw err
    const e = err as { code?: string, name?: string }
    throw new DoctorInputError(url.href, undefined, `cannot read (${e.code ?? e.name ?? 'error'})`)
  }
  const doc = checkersOf(text)
  if (doc === undefined) {
    throw new DoctorInputError(url.href, undefined, 'not a sidecar /status document (is --sidecar the sidecar\'s --port?)')
  }
  const out: Finding[] = []
  for (const c of doc.checkers ?? []) {
    const detection = c.detection_ms
    if (typeof detection !== 'number' || detection + s.pollIntervalMs <= s.waitHealthCheckMs) continue
    const who = `${c.kind ?? 'checker'} ${c.source ?? ''}${c.user_agent !== undefined && c.user_agent !== '' ? ` (${c.user_agent})` : ''}`
    out.push(finding('SIDECAR_SLOW_CHECKER', url.href, 0, `${who} checks every ${showMs(c.interval_ms ?? 0)} and needs ${c.fall ?? '?'} ` +
      `drain answers: ${showMs(detection + s.pollIntervalMs)} with the sidecar's poll, more than wait_health_check ` +
      `${showMs(s.waitHealthCheckMs)}: EMQX evicts while this load balancer still sends the node new clients`,
    'shorten that checker\'s interval or its fall (HAProxy inter/fastinter/fall, readiness periodSeconds/failureThreshold)'))
  }
  return out
}
