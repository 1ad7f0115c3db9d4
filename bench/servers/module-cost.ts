/**
 * `node --expose-gc module-cost.js SPEC...`: imports each specifier in order (a package name, or a file
 * URL), collects garbage and prints this process's RSS and V8 heap in use as one JSON line. With no
 * specifier it measures node itself.
 */
for (const spec of process.argv.slice(2)) await import(spec)
// let start-up's timers and microtasks run before measuring
await new Promise((resolve) => setTimeout(resolve, 100))
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')
gc()
gc()
const { rss, heapUsed } = process.memoryUsage()
process.stdout.write(`${JSON.stringify({ rss, heapUsed })}\n`, () => { process.exit(0) })
