/** What bench/servers/module-list.ts reports from inside a running sidecar. */
export interface ModuleList {
  readonly rss: number
  readonly heapUsed: number
  /** script URLs as V8 names them (file:///..., node:..., wasm://...) */
  readonly scripts: readonly string[]
  /** CommonJS modules in load order: [file, file of the module at the root of its require chain] */
  readonly cjs: ReadonlyArray<readonly [string, string]>
}

interface CjsModule { readonly id: string, readonly parent?: CjsModule | null }

/** Every module of require's cache (in load order) with the module at the root of its chain of first requirers. */
export function requireChains (cache: Record<string, CjsModule | undefined>): Array<readonly [string, string]> {
  return Object.values(cache).flatMap((m) => {
    if (m === undefined) return []
    let root = m
    // module.parent: the first module that required it (deprecated in the docs, still set by the loader)
    while (root.parent !== undefined && root.parent !== null) root = root.parent
    return [[m.id, root.id] as const]
  })
}
