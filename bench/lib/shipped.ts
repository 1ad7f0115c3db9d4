import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** What ships, read from the repository: the image's Node major and the sidecar container's memory limit. */
function findRoot (): string {
  // bench/lib when run from source (tests), bench/dist/bench/lib when compiled
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'Dockerfile')) && dirname(dir) !== dir) dir = dirname(dir)
  return `${dir}/`
}
const ROOT = findRoot()

/** The major of `ARG NODE_IMAGE=node:<major>-...` in the Dockerfile; NaN when absent. */
export function imageNodeMajor (): number {
  const m = /^ARG NODE_IMAGE=node:(\d+)-/m.exec(readFileSync(`${ROOT}Dockerfile`, 'utf8'))
  return Number(m?.[1] ?? NaN)
}

const UNITS: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }

/** A Kubernetes memory quantity (`160Mi`, `200M`, `134217728`) in bytes; NaN when not one. */
export function quantityBytes (q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(q.trim())
  return m === null ? NaN : Number(m[1]) * (UNITS[m[2] ?? ''] ?? NaN)
}

interface Container { name?: string, resources?: { limits?: { memory?: string }, requests?: { memory?: string } } }

/** The `lb-sidecar` container's memory request and limit in deploy/base/statefulset.yaml, in bytes. */
export function sidecarMemory (): { request: number, limit: number } {
  const doc = parse(readFileSync(`${ROOT}deploy/base/statefulset.yaml`, 'utf8')) as { spec?: { template?: { spec?: { containers?: Container[] } } } }
  const c = doc.spec?.template?.spec?.containers?.find((x) => x.name === 'lb-sidecar')
  return { request: quantityBytes(c?.resources?.requests?.memory ?? ''), limit: quantityBytes(c?.resources?.limits?.memory ?? '') }
}
