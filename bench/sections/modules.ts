import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { NODE_FLAGS } from '../../src/node-flags.js'
import { CLI, exitWithin, startSidecar, track } from '../lib/proc.js'
import { median } from '../lib/stats.js'
import type { ModuleList } from '../servers/module-chains.js'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const LIST = new URL('../servers/module-list.js', import.meta.url).href
const COST = fileURLToPath(new URL('../servers/module-cost.js', import.meta.url))
/** The serve command's module: every module of dist/ the sidecar imports statically (cli.js itself would start it). */
const SERVE = pathToFileURL(join(ROOT, 'dist/commands/serve.js')).href

export interface Memory {
  readonly rss: number
  /** V8 heap in use after a full GC */
  readonly heapUsed: number
}

export interface ModuleGroup {
  /** a package the sidecar imports (the root of the require chains below it), or DIST_GROUP */
  readonly name: string
  readonly files: number
  /** the packages inside it and their file counts, largest first (the group's own package included) */
  readonly packages: ReadonlyArray<readonly [string, number]>
  /** imported into an empty node, over node itself; none for DIST_GROUP (it imports every package) */
  readonly alone?: Memory
  /** imported after the groups above it (load order), over them */
  readonly added: Memory
}

export interface ModuleTable {
  readonly runtime: string
  /** node with nothing imported */
  readonly node: Memory
  /** in load order, then the sidecar's own modules */
  readonly groups: readonly ModuleGroup[]
  /** the sidecar after start-up and some polls, idle, measured in its own process (after a full GC), median of `repeats` */
  readonly running: Memory
  /** WebAssembly modules V8 holds in the running sidecar (undici's HTTP parser) */
  readonly wasm: number
  /** processes measured per row (the median is shown) */
  readonly repeats: number
}

export const DIST_GROUP = 'the sidecar\'s own modules (dist/)'

export interface ModuleOptions {
  /** how long after the sidecar listens it is listed */
  readonly afterMs: number
  readonly repeats: number
  /** measure each package imported alone too (off in smoke mode: a process per package) */
  readonly alone: boolean
}

/**
 * What the sidecar loads at idle, and what each part costs: the running sidecar's scripts and CommonJS
 * modules (listed by bench/servers/module-list.ts, preloaded), grouped by the package at the root of each
 * require chain; then, each in fresh processes under the sidecar's node flags (bench/servers/module-cost.ts),
 * node with nothing imported, each package imported alone, and the packages imported one after the other in the
 * sidecar's load order followed by its own modules: RSS and V8 heap in use after a full GC, medians of `repeats`.
 */
export async function moduleTable (
  node: string, runtime: string, emqxUrl: string, o: ModuleOptions, progress: (msg: string) => void
): Promise<ModuleTable> {
  progress(`footprint: modules the sidecar loads at idle, node ${runtime}`)
  const lists: ModuleList[] = []
  for (let i = 0; i < o.repeats; i++) lists.push(await listModules(node, emqxUrl, o.afterMs))
  const grouped = groupModules(lists[0] as ModuleList, ROOT)
  const running = { rss: median(lists.map((l) => l.rss)), heapUsed: median(lists.map((l) => l.heapUsed)) }
  const measure = async (specs: readonly string[]): Promise<Memory> => await importCost(node, specs, o.repeats)
  progress(`footprint: what each costs, node ${runtime} (${o.repeats} process(es) per row)`)
  const bare = await measure([])
  const groups: ModuleGroup[] = []
  let before = bare
  const specs: string[] = []
  for (const g of grouped.packages) {
    const alone = o.alone ? minus(await measure([g.name]), bare) : undefined
    specs.push(g.name)
    const now = await measure(specs)
    groups.push({ ...g, ...(alone !== undefined ? { alone } : {}), added: minus(now, before) })
    before = now
  }
  const all = await measure([...specs, SERVE])
  groups.push({ name: DIST_GROUP, files: grouped.distFiles, packages: [], added: minus(all, before) })
  return { runtime, node: bare, groups, running, wasm: grouped.wasm, repeats: o.repeats }
}

const minus = (a: Memory, b: Memory): Memory => ({ rss: a.rss - b.rss, heapUsed: a.heapUsed - b.heapUsed })

/** The package a file belongs to: the path segment(s) after its last node_modules/, undefined outside node_modules. */
export function packageOf (file: string): string | undefined {
  const i = file.lastIndexOf('node_modules/')
  if (i === -1) return undefined
  const parts = file.slice(i + 'node_modules/'.length).split('/')
  return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : parts[0]
}

export interface GroupedModules {
  /** in load order */
  readonly packages: ReadonlyArray<Omit<ModuleGroup, 'alone' | 'added'>>
  readonly distFiles: number
  readonly wasm: number
}

/** The running sidecar's modules by the package at the root of their require chain; its own ES modules under dist/. */
export function groupModules (list: ModuleList, root: string): GroupedModules {
  const groups = new Map<string, Map<string, number>>()
  const add = (group: string, pkg: string): void => {
    const g = groups.get(group) ?? new Map<string, number>()
    g.set(pkg, (g.get(pkg) ?? 0) + 1)
    groups.set(group, g)
  }
  const cjs = new Set<string>()
  for (const [file, rootFile] of list.cjs) {
    cjs.add(file)
    const pkg = packageOf(file)
    if (pkg !== undefined) add(packageOf(rootFile) ?? pkg, pkg)
  }
  const dist = pathToFileURL(join(root, 'dist')).href + '/'
  let distFiles = 0
  let wasm = 0
  for (const url of new Set(list.scripts)) {
    if (url.startsWith('wasm://')) wasm++
    if (!url.startsWith('file://')) continue
    if (url.startsWith(dist)) { distFiles++; continue }
    // ES modules from node_modules (CommonJS files are counted above, from require's cache)
    const file = fileURLToPath(url)
    const pkg = packageOf(file)
    if (pkg !== undefined && !cjs.has(file)) add(pkg, pkg)
  }
  const packages = [...groups].map(([name, inner]) => ({
    name,
    files: [...inner.values()].reduce((a, b) => a + b, 0),
    packages: [...inner].sort((a, b) => b[1] - a[1]),
  }))
  return { packages, distFiles, wasm }
}

/** Starts a sidecar with the module-list preload, waits for its list, stops it. */
async function listModules (node: string, emqxUrl: string, afterMs: number): Promise<ModuleList> {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-bench-modules-'))
  const out = join(dir, 'modules.json')
  // the preload as a node flag, not NODE_OPTIONS: a test runner's spawn hooks may rewrite NODE_OPTIONS (tap's processinfo does)
  const args = [...NODE_FLAGS, `--import=${LIST}`, CLI, '--host', '127.0.0.1', '--port', '0', '--emqx-url', emqxUrl]
  const sidecar = await startSidecar({ emqxUrl, launch: { file: node, args }, env: { MODULE_LIST_OUT: out } })
  try {
    // afterMs after it listens (a few polls), as the idle RSS is read
    await new Promise((resolve) => setTimeout(resolve, afterMs))
    sidecar.child.kill('SIGUSR2')
    const deadline = performance.now() + 30_000
    while (!existsSync(out)) {
      const c = sidecar.child
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`the sidecar (pid ${sidecar.pid}) exited (${c.exitCode ?? c.signalCode}) instead of listing its modules`)
      if (performance.now() > deadline) throw new Error(`the sidecar (pid ${sidecar.pid}) listed no modules within 30 s of SIGUSR2`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // written in one writeFileSync: a short wait covers a read racing the write
    await new Promise((resolve) => setTimeout(resolve, 50))
    const list = JSON.parse(readFileSync(out, 'utf8')) as ModuleList & { error?: string }
    if (list.error !== undefined) throw new Error(`module listing failed in the sidecar: ${list.error}`)
    return list
  } finally {
    await sidecar.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Median RSS and heap of `repeats` fresh processes importing specs in order. */
async function importCost (node: string, specs: readonly string[], repeats: number): Promise<Memory> {
  const runs: Memory[] = []
  for (let i = 0; i < repeats; i++) {
    const child = track(spawn(node, [...NODE_FLAGS, '--expose-gc', COST, ...specs], { stdio: ['ignore', 'pipe', 'pipe'] }))
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
    child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c })
    const code = await exitWithin(child, 0, `module-cost ${specs.join(' ')}`)
    if (code !== 0) throw new Error(`module-cost ${specs.join(' ')} exited ${String(code)}: ${out.slice(-500)}`)
    runs.push(JSON.parse(out.trim().split('\n').pop() ?? '') as Memory)
  }
  return { rss: median(runs.map((r) => r.rss)), heapUsed: median(runs.map((r) => r.heapUsed)) }
}
