import { asArray, asString, field, type YamlDoc } from './k8s-yaml.js'

/** A pod template found in a manifest, with the path to it (for lines) and its EMQX and sidecar containers. */
export interface PodTemplate {
  readonly doc: YamlDoc
  readonly kind: string
  readonly name: string
  readonly path: ReadonlyArray<string | number>
  readonly spec: unknown
  /** the EMQX container (undefined in an EMQX Operator resource, where the operator adds it) */
  readonly emqx?: Container
  readonly sidecar?: Container
  /** an EMQX Operator `EMQX` resource: the operator's readiness gate follows availability_check, re-checked every 30 s */
  readonly operator: boolean
}

export interface Container {
  readonly value: unknown
  readonly path: ReadonlyArray<string | number>
  readonly name: string
}

const TEMPLATE: Record<string, ReadonlyArray<string | number>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
}

const isSidecar = (c: unknown): boolean => /emqx-lb-sidecar/.test(asString(field(c, 'image')) ?? '') ||
  asString(field(c, 'name')) === 'lb-sidecar' ||
  asArray(field(c, 'env')).some((e) => asString(field(e, 'name'))?.startsWith('SIDECAR_') === true)
const isEmqx = (c: unknown): boolean => /(^|\/)emqx(-enterprise)?(:|$)/.test(asString(field(c, 'image')) ?? '') ||
  asString(field(c, 'name')) === 'emqx'

function containers (doc: YamlDoc, path: ReadonlyArray<string | number>, key: string): Container[] {
  return asArray(field(doc.value, ...path, key))
    .map((value, i) => ({ value, path: [...path, key, i], name: asString(field(value, 'name')) ?? '' }))
}

/** The pod templates of one YAML document that run EMQX or the sidecar. */
export function podTemplates (doc: YamlDoc): PodTemplate[] {
  const kind = asString(field(doc.value, 'kind')) ?? ''
  const name = asString(field(doc.value, 'metadata', 'name')) ?? ''
  const found: PodTemplate[] = []
  const path = TEMPLATE[kind]
  // a workload without its selector is a kustomize patch, not an object: checked once rendered (kubectl kustomize DIR | doctor -)
  const patch = kind !== 'Pod' && field(doc.value, 'spec', 'selector') === undefined
  if (path !== undefined && !patch) {
    const all = containers(doc, path, 'containers')
    const emqx = all.find((c) => isEmqx(c.value) && !isSidecar(c.value))
    const sidecar = all.find((c) => isSidecar(c.value))
    if (emqx !== undefined || sidecar !== undefined) {
      found.push({
        doc,
        kind,
        name,
        path,
        spec: field(doc.value, ...path),
        operator: false,
        ...(emqx !== undefined ? { emqx } : {}),
        ...(sidecar !== undefined ? { sidecar } : {}),
      })
    }
  }
  if (kind === 'EMQX' && /^apps\.emqx\.io\//.test(asString(field(doc.value, 'apiVersion')) ?? '')) {
    for (const template of ['coreTemplate', 'replicantTemplate']) {
      const p = ['spec', template, 'spec']
      if (field(doc.value, ...p) === undefined) continue
      const sidecar = containers(doc, p, 'extraContainers').find((c) => isSidecar(c.value))
      found.push({
        doc,
        kind,
        name: `${name} ${template}`,
        path: p,
        spec: field(doc.value, ...p),
        operator: true,
        ...(sidecar !== undefined ? { sidecar } : {}),
      })
    }
  }
  return found
}
