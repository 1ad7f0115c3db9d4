// One TypeScript file to the JavaScript the tests run, through a cache shared by every test process.
// The suite's 120-odd files used to pay tap's ts-node start-up each (about 2 s of CPU a file: the TypeScript
// compiler loaded and every imported file transpiled again, in every process). Here a file is transpiled once
// per content and kept under node_modules/.cache; a process whose files are all cached never loads TypeScript.
// Transpile only (as ts-node's transpile-only mode was): the types are checked once by `tsc -p test/tsconfig.json`.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const CACHE = join(ROOT, 'node_modules', '.cache', 'emqx-lb-sidecar-tests')
const TSCONFIG = join(ROOT, 'tsconfig.json')

let ts
let options
let salt

/** The compiler and the project's options (tsconfig.json), loaded on the first file not in the cache. */
async function compiler () {
  if (ts === undefined) {
    ts = (await import('typescript')).default
    const read = ts.readConfigFile(TSCONFIG, ts.sys.readFile)
    if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'))
    const { options: o, errors } = ts.convertCompilerOptionsFromJson(read.config.compilerOptions, ROOT)
    if (errors.length > 0) throw new Error(errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'))
    // every .ts file here is an ES module ("type": "module"); a map inline, so stacks and coverage point at the .ts lines
    options = { ...o, module: ts.ModuleKind.ESNext, sourceMap: false, inlineSourceMap: true, declaration: false, isolatedModules: true }
    delete options.outDir
    delete options.rootDir
  }
  return ts
}

/** What a cached file's name depends on besides its source: the compiler's version and the project's options. */
function cacheSalt () {
  if (salt === undefined) {
    const tsPackage = readFileSync(join(ROOT, 'node_modules', 'typescript', 'package.json'), 'utf8')
    salt = `${JSON.parse(tsPackage).version}\0${readFileSync(TSCONFIG, 'utf8')}\0${readFileSync(fileURLToPath(import.meta.url), 'utf8')}`
  }
  return salt
}

/** The JavaScript for the TypeScript file at `file` with text `source`. */
export async function transpile (file, source) {
  const key = createHash('sha256').update(cacheSalt()).update('\0').update(file).update('\0').update(source).digest('hex')
  const cached = join(CACHE, key.slice(0, 2), `${key}.js`)
  try {
    return readFileSync(cached, 'utf8')
  } catch {}
  const typescript = await compiler()
  const out = typescript.transpileModule(source, { compilerOptions: options, fileName: file, reportDiagnostics: false }).outputText
  mkdirSync(dirname(cached), { recursive: true })
  // written whole under another name and renamed: a process reading the cache never sees half a file
  const tmp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`
  writeFileSync(tmp, out)
  renameSync(tmp, cached)
  return out
}
