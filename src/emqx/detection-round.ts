import { paths, type ApiTarget, type ApiVersion } from './api.js'
import { isEmqxNodeStatus, judgeCandidate } from './detect.js'
import type { EmqxHttp } from './http.js'
import { failure, type CheckOutcome } from './outcome.js'
import { classifyNodeStatus, parseNodeName } from './parse.js'

/** One place the EMQX API may be: an API generation at a base URL. */
export interface Candidate { readonly version: ApiVersion, readonly base: URL }

/** What one detection round found: the rebalance API, clean evidence of its absence (with the fallback), or nothing sure. */
export type Round =
  | { readonly kind: 'found', readonly target: ApiTarget, readonly outcome: CheckOutcome }
  | { readonly kind: 'absent', readonly target: ApiTarget, readonly outcome: CheckOutcome, readonly evidence: readonly string[] }
  | { readonly kind: 'unknown', readonly outcome: CheckOutcome }

/** One detection round over every candidate: the first that answers wins; see CandidateVerdict. */
export async function detectionRound (http: Pick<EmqxHttp, 'get'>, candidates: readonly Candidate[]): Promise<Round> {
  const absent: Array<{ c: Candidate, evidence: string, notFound: boolean, outcome: CheckOutcome }> = []
  let unknown: CheckOutcome | undefined
  for (const c of candidates) {
    const v = judgeCandidate(c.version, await http.get(c.base, paths.availability(c.version)))
    if (v.kind === 'found') return { kind: 'found', target: { version: c.version, base: c.base, mode: 'rebalance' }, outcome: v.outcome }
    if (v.kind === 'unknown') unknown ??= v.outcome
    else absent.push({ c, evidence: `${urlOf(c, paths.availability)}: ${v.evidence}`, notFound: v.notFound, outcome: v.outcome })
  }
  if (unknown !== undefined) return { kind: 'unknown', outcome: unknown }
  // Every candidate is cleanly absent. Only a node status endpoint that names the node proves this is
  // EMQX without the rebalance API; 404 everywhere (a proxy routing elsewhere) proves nothing.
  for (const a of absent.filter((x) => x.notFound)) {
    const res = await http.get(a.c.base, paths.nodeStatus(a.c.version))
    if (res.ok && isEmqxNodeStatus(res.answer)) {
      const target: ApiTarget = { version: a.c.version, base: a.c.base, mode: 'node_status' }
      const named = `${urlOf(a.c, paths.nodeStatus)}: ${res.answer.status}, node ${parseNodeName(res.answer.body) ?? '?'}`
      return { kind: 'absent', target, outcome: classifyNodeStatus(res.answer), evidence: [...absent.map((x) => x.evidence), named] }
    }
  }
  return { kind: 'unknown', outcome: absent[0]?.outcome ?? failure('transport', 'no EMQX API candidate answered') }
}

/** Where a candidate answers `path`, for evidence texts. */
function urlOf (c: Candidate, path: (v: ApiVersion) => string): string {
  return `${c.base.origin}${path(c.version)}`
}
