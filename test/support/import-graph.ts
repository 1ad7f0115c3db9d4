import { readdirSync, readFileSync } from 'node:fs'
import { join, posix, relative } from 'node:path'

/**
 * The import graph of a source tree, read as text: every relative `import`/`export ... from` and
 * `import()` of a .ts file, type-only imports included (a type import is still a layering decision).
 */
export interface ImportGraph {
  /** file (relative to the root, posix) -> the files it imports */
  readonly files: ReadonlyMap<string, readonly string[]>
}

const SPECIFIER = /(?:^|[\s;}])(?:import|export)\s[^'"]*?\sfrom\s+['"]([^'"]+)['"]|(?:^|[\s;])import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm

export function readImportGraph (root: string): ImportGraph {
  const files = new Map<string, string[]>()
  for (const file of walk(root)) {
    const text = readFileSync(join(root, file), 'utf8')
    const targets: string[] = []
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? m[3]
      if (spec === undefined || !spec.startsWith('.')) continue
      targets.push(posix.normalize(posix.join(posix.dirname(file), spec.replace(/\.js$/, '.ts'))))
    }
    files.set(file, targets)
  }
  return { files }
}

function walk (root: string, dir = root): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...walk(root, p))
    else if (e.name.endsWith('.ts')) out.push(relative(root, p).split('\\').join('/'))
  }
  return out.sort()
}

/** A file's room: its top folder under the root (`state`), or the file itself when it stands at the top (`errors.ts`). */
export function folderOf (file: string): string {
  const slash = file.indexOf('/')
  return slash === -1 ? file : file.slice(0, slash)
}

/** The same graph one level up: folder -> folders it imports (self-imports dropped). */
export function folderGraph (g: ImportGraph): Map<string, string[]> {
  const out = new Map<string, Set<string>>()
  for (const [file, targets] of g.files) {
    const from = folderOf(file)
    const set = out.get(from) ?? new Set<string>()
    out.set(from, set)
    for (const t of targets) if (folderOf(t) !== from) set.add(folderOf(t))
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]))
}

/** Every strongly connected component with more than one member (Tarjan), each as a sorted list. */
export function circles (edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++
    stack.push(v); onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0)) } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0))
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = []
      let w: string | undefined
      do { w = stack.pop(); if (w !== undefined) { onStack.delete(w); scc.push(w) } } while (w !== undefined && w !== v)
      if (scc.length > 1) found.push(scc.sort())
    }
  }
  for (const v of edges.keys()) if (!index.has(v)) visit(v)
  return found
}

/** Bare package names imported by the .ts files under root (node: builtins left out), each with one file that imports it. */
export function readPackageImports (root: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const [file, text] of readSources(root)) {
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? m[3]
      if (spec === undefined || spec.startsWith('.') || spec.startsWith('node:')) continue
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec)
      if (!out.has(name)) out.set(name, file)
    }
  }
  return out
}

/** Every .ts file under root with its text. */
export function readSources (root: string): Map<string, string> {
  return new Map(walk(root).map((file) => [file, readFileSync(join(root, file), 'utf8')]))
}
