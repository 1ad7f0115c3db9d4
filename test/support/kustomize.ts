import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseAllDocuments } from 'yaml'

/**
 * A JS rendering of the kustomize subset deploy/ uses, so CI needs no kubectl (Debian has no package
 * for it). Supported: `resources` (files, or directories with a kustomization.yaml), `patches` with
 * `path` (strategic merge, target found by kind + name), `labels` with `pairs` (metadata labels only,
 * no selectors/templates) and `images` (newName/newTag on pod template containers). Anything else
 * throws, so the manifests cannot drift outside what this renders. When kubectl is installed, the
 * tests compare this output with `kubectl kustomize`.
 */
export type K8sObject = Record<string, unknown> & { apiVersion: string, kind: string, metadata: { name: string, labels?: Record<string, string>, annotations?: Record<string, string> } }

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'patches', 'labels', 'images'])

interface Kustomization {
  resources?: string[]
  patches?: Array<{ path?: string }>
  labels?: Array<{ pairs?: Record<string, string>, includeSelectors?: boolean, includeTemplates?: boolean }>
  images?: Array<{ name: string, newName?: string, newTag?: string }>
}

function isMap (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function readYamlDocs (file: string): unknown[] {
  // YAML 1.1 like kubectl (sigs.k8s.io/yaml): e.g. 0440 is octal there
  return parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1' }).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`)
    return d.toJS() as unknown
  }).filter((d) => d !== null)
}

/** Strategic merge for maps and named lists (containers, env, ports, volumes: merged by `name`, in kustomize's order); other lists are replaced; null deletes. */
export function strategicMerge (base: unknown, patch: unknown): unknown {
  if (isMap(base) && isMap(patch)) {
    const out: Record<string, unknown> = { ...base }
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k]
      else out[k] = k in base ? strategicMerge(base[k], v) : v
    }
    return out
  }
  if (Array.isArray(base) && Array.isArray(patch) && [...base, ...patch].every((x) => isMap(x) && typeof x.name === 'string')) {
    // kustomize (kyaml merge2) puts the patch's elements first, merged with their base counterparts,
    // then the base elements the patch does not name, in their order
    const b = base as Array<Record<string, unknown>>
    const p = patch as Array<Record<string, unknown>>
    const merged = p.map((x) => { const orig = b.find((y) => y.name === x.name); return orig === undefined ? x : strategicMerge(orig, x) })
    return [...merged, ...b.filter((y) => !p.some((x) => x.name === y.name))]
  }
  return patch
}

function asObject (doc: unknown, where: string): K8sObject {
  if (!isMap(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string' || !isMap(doc.metadata) || typeof doc.metadata.name !== 'string') {
    throw new Error(`${where}: not a Kubernetes object (apiVersion, kind, metadata.name)`)
  }
  return doc as K8sObject
}

function setImage (containers: unknown, images: NonNullable<Kustomization['images']>): void {
  if (!Array.isArray(containers)) return
  for (const c of containers) {
    if (!isMap(c) || typeof c.image !== 'string') continue
    const [name = '', tag] = c.image.split(':')
    const rule = images.find((i) => i.name === name)
    if (rule !== undefined) c.image = `${rule.newName ?? name}${rule.newTag !== undefined ? `:${rule.newTag}` : tag !== undefined ? `:${tag}` : ''}`
  }
}

/** Renders the kustomization in `dir` into its objects. */
export function kustomize (dir: string): K8sObject[] {
  const file = join(dir, 'kustomization.yaml')
  const [k] = readYamlDocs(file) as [Kustomization & Record<string, unknown>]
  for (const key of Object.keys(k)) if (!SUPPORTED.has(key)) throw new Error(`${file}: "${key}" is outside the kustomize subset test/support/kustomize.ts renders`)

  let objects: K8sObject[] = []
  for (const r of k.resources ?? []) {
    const path = join(dir, r)
    if (statSync(path).isDirectory()) objects.push(...kustomize(path))
    else objects.push(...readYamlDocs(path).map((d) => asObject(d, path)))
  }
  for (const p of k.patches ?? []) {
    if (p.path === undefined || Object.keys(p).length !== 1) throw new Error(`${file}: only patches with a path are supported`)
    const patchFile = join(dir, p.path)
    for (const doc of readYamlDocs(patchFile)) {
      const patch = asObject(doc, patchFile)
      const i = objects.findIndex((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name)
      if (i === -1) throw new Error(`${patchFile}: no ${patch.kind}/${patch.metadata.name} to patch`)
      objects[i] = strategicMerge(objects[i], patch) as K8sObject
    }
  }
  for (const l of k.labels ?? []) {
    if (l.includeSelectors === true || l.includeTemplates === true) throw new Error(`${file}: labels with selectors/templates are outside the subset`)
    objects = objects.map((o) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, ...l.pairs } } }))
  }
  if (k.images !== undefined) {
    for (const o of objects) {
      const spec = (o.spec as { template?: { spec?: { containers?: unknown, initContainers?: unknown } } } | undefined)?.template?.spec
      setImage(spec?.containers, k.images)
      setImage(spec?.initContainers, k.images)
    }
  }
  return objects
}

/** Every directory under `root` holding a kustomization.yaml. */
export function kustomizationDirs (root: string, found: string[] = []): string[] {
  for (const name of readdirSync(root)) {
    const p = join(root, name)
    if (statSync(p).isDirectory()) kustomizationDirs(p, found)
    else if (name === 'kustomization.yaml') found.push(dirname(p))
  }
  return found.sort()
}
