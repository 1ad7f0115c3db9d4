import ts from 'typescript'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'
import { Service } from 'kubernetes-models/v1/Service'
import { Container } from 'kubernetes-models/v1/Container'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor'
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule'
import type { K8sObject } from './kustomize.js'

/**
 * Schema validation of rendered manifests, offline. Two layers:
 * 1. kubernetes-models 4.x (Kubernetes 1.27 OpenAPI, compiled to ajv validators; 4.x because 5.x needs
 *    Node >= 22 and this project supports Node 20): types, enums, required fields.
 * 2. Unknown fields: the OpenAPI schemas allow extra properties (so `readinesProbe:` would pass layer 1,
 *    and the API server would silently drop it), so every object is also type-checked as an object
 *    literal against the same package's TypeScript interfaces, whose excess-property check rejects
 *    any field the schema does not know, at any depth.
 */
interface Kind {
  readonly validate: (o: K8sObject) => void
  /** module and interface name for the unknown-field check */
  readonly tsType: readonly [string, string]
}

type Ctor = new (data: never) => { validate: () => void }
const model = (C: Ctor) => (o: K8sObject): void => { new C(o as never).validate() }

/** EMQX Operator v2 `EMQX` (no schema package exists): the fields used, after the operator's Go types. */
const EMQX_TYPES = `
import type { IContainer } from 'kubernetes-models/v1/Container'
import type { IVolume } from 'kubernetes-models/v1/Volume'
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount'
import type { IIoK8sApimachineryPkgApisMetaV1ObjectMeta as IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta'
interface TemplateSpec { replicas?: number, extraContainers?: IContainer[], extraVolumes?: IVolume[], extraVolumeMounts?: IVolumeMount[] }
interface EMQX { apiVersion: 'apps.emqx.io/v2beta1', kind: 'EMQX', metadata: IObjectMeta, spec: { image: string, coreTemplate?: { spec?: TemplateSpec }, replicantTemplate?: { spec?: TemplateSpec } } }
`

export const KINDS: Record<string, Kind> = {
  'apps/v1/StatefulSet': { validate: model(StatefulSet as unknown as Ctor), tsType: ['kubernetes-models/apps/v1/StatefulSet', 'IStatefulSet'] },
  'v1/Service': { validate: model(Service as unknown as Ctor), tsType: ['kubernetes-models/v1/Service', 'IService'] },
  'policy/v1/PodDisruptionBudget': { validate: model(PodDisruptionBudget as unknown as Ctor), tsType: ['kubernetes-models/policy/v1/PodDisruptionBudget', 'IPodDisruptionBudget'] },
  'monitoring.coreos.com/v1/ServiceMonitor': { validate: model(ServiceMonitor as unknown as Ctor), tsType: ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', 'IServiceMonitor'] },
  'monitoring.coreos.com/v1/PrometheusRule': { validate: model(PrometheusRule as unknown as Ctor), tsType: ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule', 'IPrometheusRule'] },
  'apps.emqx.io/v2beta1/EMQX': {
    validate: (o) => {
      const spec = o.spec as { coreTemplate?: { spec?: { extraContainers?: unknown[] } }, replicantTemplate?: { spec?: { extraContainers?: unknown[] } } }
      for (const c of [...spec.coreTemplate?.spec?.extraContainers ?? [], ...spec.replicantTemplate?.spec?.extraContainers ?? []]) {
        new Container(c as never).validate()
      }
    },
    tsType: ['', 'EMQX'],
  },
}

export const kindKey = (o: K8sObject): string => `${o.apiVersion}/${o.kind}`

/** Layer 1: throws with the schema's message when the object is invalid or of an unknown kind. */
export function validateSchema (o: K8sObject): void {
  const k = KINDS[kindKey(o)]
  if (k === undefined) throw new Error(`no schema for ${kindKey(o)} (add it to test/support/k8s-schema.ts)`)
  k.validate(o)
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Layer 2: one TypeScript program for all objects; returns one message per unknown or mistyped field. */
export function unknownFieldProblems (objects: ReadonlyArray<{ where: string, object: K8sObject }>): string[] {
  const file = join(ROOT, 'test', 'deploy', '__manifests__.ts')
  const imports = new Set<string>()
  const body: string[] = []
  objects.forEach(({ where, object }, i) => {
    const k = KINDS[kindKey(object)]
    if (k === undefined) return
    if (k.tsType[0] !== '') imports.add(`import type { ${k.tsType[1]} } from '${k.tsType[0]}'`)
    body.push(`// ${where}\nexport const o${i}: ${k.tsType[1]} = ${JSON.stringify(object, null, 1)}`)
  })
  const source = [...imports, EMQX_TYPES, ...body].join('\n')
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
  }
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, lang, ...rest) => name === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest)
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (name) => name === file || fileExists(name)
  const program = ts.createProgram([file], options, host)
  const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file)
  return diags.map((d) => {
    const line = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0
    const lines = source.split('\n')
    // name the manifest: the nearest `// where` comment above the error
    let where = '?'
    for (let l = line; l >= 0; l--) { const m = /^\/\/ (.+)$/.exec(lines[l] ?? ''); if (m !== null) { where = m[1] ?? '?'; break } }
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')} (near: ${(lines[line] ?? '').trim()})`
  })
}
