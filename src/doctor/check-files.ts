import { readFileSync } from 'node:fs'
import { errnoCode } from '../config/parse.js'
import { DoctorInputError, sortFindings, type Finding } from './finding.js'
import { haproxyFindings } from './haproxy-rules.js'
import { k8sFindings } from './k8s-rules.js'
import { nginxFindings } from './nginx-rules.js'
import type { DoctorSettings } from './settings.js'

export type ConfigKind = 'haproxy' | 'nginx' | 'kubernetes'

/** What a file is, by its content (not its name): Kubernetes YAML, haproxy.cfg or an nginx config; undefined for none of them. */
export function detectKind (text: string): ConfigKind | undefined {
  if (/^apiVersion:/m.test(text) && /^kind:/m.test(text)) return 'kubernetes'
  if (/^\s*(global|defaults|frontend|backend|listen)(\s|$)/m.test(text) && !/^\s*(stream|http|events)\s*\{/m.test(text)) return 'haproxy'
  if (/[;{]\s*(#.*)?$/m.test(text)) return 'nginx'
  return undefined
}

const CHECKS: Record<ConfigKind, (file: string, text: string, s: DoctorSettings) => Finding[]> = {
  haproxy: haproxyFindings,
  nginx: nginxFindings,
  kubernetes: k8sFindings,
}

export interface Checked {
  readonly findings: Finding[]
  readonly kinds: ReadonlyMap<string, ConfigKind>
}

/** Reads and checks every file. Throws DoctorInputError for the first one that cannot be read, recognised or parsed. */
export function checkFiles (files: readonly string[], s: DoctorSettings): Checked {
  const findings: Finding[] = []
  const kinds = new Map<string, ConfigKind>()
  for (const file of files) {
    let text: string
    // `-`: standard input, e.g. `kubectl kustomize deploy/overlays/aws-nlb | emqx-lb-sidecar doctor -`
    try { text = readFileSync(file === '-' ? 0 : file, 'utf8') } catch (err) {
      throw new DoctorInputError(file, undefined, `cannot read (${errnoCode(err)})`)
    }
    const kind = detectKind(text)
    if (kind === undefined) throw new DoctorInputError(file, undefined, 'neither a haproxy.cfg, an nginx config nor Kubernetes YAML')
    kinds.set(file, kind)
    findings.push(...CHECKS[kind](file, text, s))
  }
  return { findings: sortFindings(findings), kinds }
}
