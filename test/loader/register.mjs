// Preloaded into every test process (.taprc node-arg: --import): the TypeScript hooks of hooks.mjs.
import { register } from 'node:module'

register('./hooks.mjs', import.meta.url)
