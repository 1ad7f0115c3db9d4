// Module hooks (module.register) that let Node run the project's TypeScript: `./x.js` imported from a .ts file is
// `./x.ts` when that exists (TypeScript's own resolution), and a .ts file loads as the ES module transpile.mjs makes.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { transpile } from './transpile.mjs'

export async function resolve (specifier, context, nextResolve) {
  const parent = context.parentURL
  if (parent !== undefined && parent.startsWith('file:') && parent.endsWith('.ts') && specifier.endsWith('.js') &&
      (specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('file:'))) {
    const url = new URL(`${specifier.slice(0, -3)}.ts`, parent)
    if (existsSync(url)) return { url: url.href, format: 'module', shortCircuit: true }
  }
  return nextResolve(specifier, context)
}

export async function load (url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context)
  const file = fileURLToPath(url)
  return { format: 'module', source: await transpile(file, readFileSync(file, 'utf8')), shortCircuit: true }
}
