import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { kustomize } from '../support/kustomize.js'

/**
 * The sidecar's memory request and limit in every manifest follow the measurements in deploy/README.md
 * (Memory) for the image's Node major: the request holds the RSS at rest (idle, and 15 s after a storm of
 * new-connection checkers), and the storm's peak stays within 80% of the limit.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DEPLOY = join(ROOT, 'deploy')
const MIB = 2 ** 20
const UNITS: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: MIB, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }

function bytes (q: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(q ?? '')
  return m === null ? NaN : Number(m[1]) * (UNITS[m[2] ?? ''] ?? NaN)
}

const imageMajor = Number(/^ARG NODE_IMAGE=node:(\d+)-/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1])

interface Row { idle: number, startPeak: number, stormPeak: number, later: number }

/** The Memory table's rows by Node major: idle, start-up peak, storm peak and later RSS in bytes (first number of each cell, MiB). */
function rows (): Map<number, Row> {
  const readme = readFileSync(join(DEPLOY, 'README.md'), 'utf8')
  const section = readme.split(/^## /m).find((s) => s.startsWith('Memory')) ?? ''
  const out = new Map<number, Row>()
  for (const line of section.split('\n')) {
    const major = /^\| (\d+)\.\d+\.\d+/.exec(line)?.[1]
    if (major === undefined) continue
    const [, idle, startPeak, stormPeak, later] = line.split('|').slice(1).map((c) => Number(/(\d+(?:\.\d+)?)/.exec(c)?.[1]) * MIB)
    out.set(Number(major), { idle: idle ?? NaN, startPeak: startPeak ?? NaN, stormPeak: stormPeak ?? NaN, later: later ?? NaN })
  }
  return out
}

/** The image's row for what holds at rest, and the largest peak of any runtime measured (start-up or storm). */
function measured (major: number): { idle: number, peak: number, later: number } | undefined {
  const all = rows()
  const image = all.get(major)
  if (image === undefined) return undefined
  const peak = Math.max(...[...all.values()].flatMap((r) => [r.startPeak, r.stormPeak]))
  return { idle: image.idle, peak, later: image.later }
}

t.test('the Memory table has the image\'s runtime and Node 20, each with both peaks', async (t) => {
  const all = rows()
  t.ok(all.has(imageMajor) && all.has(20), `rows for Node ${imageMajor} and 20`)
  for (const [major, r] of all) t.ok(Object.values(r).every(Number.isFinite), `Node ${major}: every figure read`)
})

interface Resources { requests?: Record<string, string>, limits?: Record<string, string> }

/** Every container named lb-sidecar anywhere in the objects (StatefulSet templates, the EMQX operator's CR). */
function sidecars (node: unknown, out: Resources[] = []): Resources[] {
  if (Array.isArray(node)) for (const x of node) sidecars(x, out)
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>
    if (o.name === 'lb-sidecar' && 'image' in o) out.push((o.resources ?? {}) as Resources)
    for (const v of Object.values(o)) sidecars(v, out)
  }
  return out
}

const kustomizations = ['base', 'emqx-operator', ...readdirSync(join(DEPLOY, 'overlays')).map((d) => `overlays/${d}`)]

t.test(`deploy/README.md has the measured RSS on the image's Node ${imageMajor}`, async (t) => {
  const m = measured(imageMajor)
  t.ok(m !== undefined && Number.isFinite(m.idle) && Number.isFinite(m.peak) && Number.isFinite(m.later), `a row for Node ${imageMajor}.x in the Memory table`)
})

for (const dir of kustomizations) {
  t.test(`${dir}: the sidecar's memory request and limit follow the measured RSS`, async (t) => {
    const m = measured(imageMajor)
    if (m === undefined) return t.fail(`no measurements for Node ${imageMajor} in deploy/README.md`)
    const found = sidecars(kustomize(join(DEPLOY, dir)))
    t.ok(found.length > 0, 'has a sidecar container')
    for (const r of found) {
      const request = bytes(r.requests?.memory)
      const limit = bytes(r.limits?.memory)
      t.ok(request >= Math.max(m.idle, m.later), `request ${r.requests?.memory ?? 'none'} holds the RSS at rest (${(Math.max(m.idle, m.later) / MIB).toFixed(0)} MiB)`)
      t.ok(m.peak <= 0.8 * limit, `the largest peak ${(m.peak / MIB).toFixed(0)} MiB (start-up or storm, any runtime) is within 80% of the limit ${r.limits?.memory ?? 'none'}`)
      t.ok(limit >= request, 'limit >= request')
    }
  })
}
