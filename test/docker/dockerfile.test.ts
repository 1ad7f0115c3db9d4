import t from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { once } from 'node:events'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast'
import { serveOptions } from '../../src/config/options.js'
import { NODE_FLAGS } from '../../src/node-flags.js'
import { isExcluded, parseDockerignore } from '../support/dockerignore.js'
import { CLI, startSidecar } from '../support/sidecar-proc.js'
import { startDouble } from '../support/emqx-double.js'

/**
 * There is no Docker engine on the build machines, so the image's promises are checked on the
 * Dockerfile itself, and its HEALTHCHECK command is run for real against a running sidecar.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string, license: string, engines: { node: string }, scripts: Record<string, string>, bin: Record<string, string> }
const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
const ignore = parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'))

interface Stage { readonly name: string | null, readonly image: string, readonly instructions: Instruction[] }

/** Build stages in order; `${ARG}` in FROM resolved from the ARG defaults before the first FROM. */
function stages (): Stage[] {
  const args = new Map<string, string>()
  for (const a of dockerfile.getInitialARGs()) {
    const p = a.getProperty()
    if (p !== null) args.set(p.getName(), p.getValue() ?? '')
  }
  const out: Stage[] = []
  for (const ins of dockerfile.getInstructions()) {
    if (ins.getKeyword() === 'FROM') {
      const words = ins.getArguments().map((a) => a.getValue())
      const image = (words[0] ?? '').replace(/\$\{(\w+)\}/g, (_m, n: string) => args.get(n) ?? '')
      const asIdx = words.findIndex((w) => w.toUpperCase() === 'AS')
      out.push({ name: asIdx >= 0 ? words[asIdx + 1] ?? null : null, image, instructions: [] })
    } else out.at(-1)?.instructions.push(ins)
  }
  return out
}

const all = stages()
const build = all[0]
const runtime = all.at(-1)
const keyword = (s: Stage | undefined, k: string): Instruction[] => s?.instructions.filter((i) => i.getKeyword() === k) ?? []
const text = (i: Instruction): string => i.getArgumentsContent() ?? ''
/** the stage a COPY reads from (`--from=`), undefined for the build context */
const copyFrom = (i: Instruction): string | undefined => i instanceof Copy ? i.getFromFlag()?.getValue() ?? undefined : undefined
/** COPY arguments without flags */
const copyWords = (i: Instruction): string[] => i.getArguments().map((a) => a.getValue())
/** the exec-form (JSON) words of CMD/HEALTHCHECK CMD */
function jsonWords (i: Instruction): string[] {
  const content = text(i)
  const start = content.indexOf('[')
  return JSON.parse(content.slice(start)) as string[]
}

t.test('multi-stage: build with dev dependencies, runtime with production dependencies only', async (t) => {
  t.ok(all.length >= 2 && build !== undefined && runtime !== undefined, 'at least two stages')
  t.equal(build?.name, 'build')
  t.equal(runtime?.name, 'runtime', 'the last stage is the runtime image')
  const buildRuns = keyword(build, 'RUN').map(text)
  t.ok(buildRuns.some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit')), 'build stage installs dev dependencies with npm ci')
  t.ok(buildRuns.some((r) => r.includes('npm run build')), 'build stage compiles TypeScript')
  const runtimeRuns = keyword(runtime, 'RUN').map(text)
  t.ok(runtimeRuns.some((r) => /npm ci .*--omit=dev/.test(r) && r.includes('--ignore-scripts')), 'runtime installs production dependencies without scripts')
  t.notOk(runtimeRuns.some((r) => r.includes('npm run build')), 'runtime does not build')
  const fromBuild = keyword(runtime, 'COPY').filter((c) => copyFrom(c) === 'build').map(copyWords)
  t.same(fromBuild, [['/src/dist', './dist']], 'runtime copies only dist/ from the build stage')
})

t.test('base image is a Node.js LTS line the package supports, on a small base', async (t) => {
  for (const s of all) {
    const m = /^node:(\d+)-(.+)$/.exec(s.image)
    t.ok(m, `${s.name ?? '?'} uses a node image: ${s.image}`)
    if (m === null) continue
    const major = Number(m[1])
    const minMajor = Number(/(\d+)/.exec(pkg.engines.node)?.[1])
    t.ok(major % 2 === 0, `node ${major} is an LTS line (even major)`)
    t.ok(major >= minMajor, `node ${major} satisfies engines ${pkg.engines.node}`)
    t.match(m[2], /slim|alpine/, 'small base image')
  }
})

t.test('runs as a non-root user, exposes both ports, healthcheck on /livez, OCI labels', async (t) => {
  const user = keyword(runtime, 'USER').at(-1)
  t.ok(user, 'USER set in the runtime stage')
  const uid = text(user as Instruction).split(':')[0] ?? ''
  t.match(uid, /^\d+$/, 'numeric uid, so runAsNonRoot can verify it')
  t.not(uid, '0', 'not root')

  const exposed = keyword(runtime, 'EXPOSE').flatMap((e) => text(e).split(/\s+/))
  const httpDefault = serveOptions.find((o) => o.flag === 'port')?.default
  t.ok(httpDefault !== undefined && exposed.includes(httpDefault), `EXPOSE has the HTTP port default ${httpDefault ?? '?'}`)
  t.ok(exposed.includes('9184'), 'EXPOSE has the agent-check port 9184')

  const hc = keyword(runtime, 'HEALTHCHECK')
  t.equal(hc.length, 1, 'one HEALTHCHECK')
  t.match(text(hc[0] as Instruction), /\/livez/, 'HEALTHCHECK probes /livez (never tied to EMQX)')

  const labels = new Map<string, string>()
  for (const l of keyword(runtime, 'LABEL')) {
    const props = (l as unknown as { getProperties: () => Array<{ getName: () => string, getValue: () => string | null }> }).getProperties()
    for (const p of props) labels.set(p.getName(), (p.getValue() ?? '').replace(/^"|"$/g, ''))
  }
  t.equal(labels.get('org.opencontainers.image.title'), 'emqx-lb-sidecar')
  t.equal(labels.get('org.opencontainers.image.licenses'), pkg.license)
  // eslint-disable-next-line no-template-curly-in-string -- the Dockerfile's build-arg reference, meant literally
  t.equal(labels.get('org.opencontainers.image.version'), '${VERSION}')
  const versionArg = keyword(runtime, 'ARG').map(text).find((a) => a.startsWith('VERSION='))
  t.equal(versionArg, `VERSION=${pkg.version}`, 'the VERSION build arg defaults to package.json version')
})

t.test('CMD runs the same entry the tests run', async (t) => {
  const cmd = keyword(runtime, 'CMD')
  t.equal(cmd.length, 1)
  const words = jsonWords(cmd[0] as Instruction)
  t.same(words, ['node', ...NODE_FLAGS, relative(ROOT, CLI)], 'exec form: node, src/node-flags.ts, dist/cli.js: what test/support/sidecar-proc.ts spawns')
  t.equal(pkg.scripts.start, ['node', ...NODE_FLAGS, relative(ROOT, CLI)].join(' '), '`npm start` runs the same command')
  // the binary (npx, a global install, npm's bin links) runs through its shebang: the same flags
  const shebang = `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`
  t.equal(readFileSync(join(ROOT, 'src/cli.ts'), 'utf8').split('\n')[0], shebang, 'src/cli.ts starts with node and the same flags')
  t.equal(readFileSync(CLI, 'utf8').split('\n')[0], shebang, 'the build keeps that line in dist/cli.js')
  t.equal(pkg.bin['emqx-lb-sidecar'], relative(ROOT, CLI), 'the package binary is that file')
  t.equal(keyword(runtime, 'ENTRYPOINT').length, 0, 'no ENTRYPOINT wrapping it')
  const workdir = keyword(runtime, 'WORKDIR').map(text).at(-1)
  t.equal(workdir, '/app')
  const copiesPkg = keyword(runtime, 'COPY').some((c) => text(c).startsWith('package.json'))
  t.ok(copiesPkg, 'package.json is beside dist/ (the version is read from it)')
})

t.test('no secrets baked in', async (t) => {
  for (const ins of dockerfile.getInstructions()) {
    if (!['ENV', 'ARG', 'LABEL'].includes(ins.getKeyword())) continue
    t.notMatch(text(ins), /PASSWORD|SECRET|TOKEN|API_KEY/i, `${ins.getKeyword()} ${text(ins).slice(0, 40)} names no secret`)
  }
  for (const p of ['.env', 'secrets/password', 'node_modules/x', 'dist/cli.js', '.git/config', 'test/x.test.ts', 'deploy/base/kustomization.yaml']) {
    t.ok(isExcluded(ignore, p), `.dockerignore keeps ${p} out of the build context`)
  }
})

t.test('every COPY source exists and is in the build context', async (t) => {
  const sources: string[] = []
  for (const s of all) {
    for (const c of keyword(s, 'COPY')) {
      if (copyFrom(c) !== undefined) continue
      sources.push(...copyWords(c).slice(0, -1))
    }
  }
  t.ok(sources.length >= 4, `found COPY sources: ${sources.join(' ')}`)
  for (const src of sources) {
    t.ok(existsSync(join(ROOT, src)), `${src} exists`)
    t.notOk(isExcluded(ignore, src), `${src} is not excluded by .dockerignore`)
  }
  // what the build compiles must be in the context too, file by file
  const srcFiles = readdirSync(join(ROOT, 'src'), { recursive: true }).map((f) => `src/${String(f)}`)
  t.ok(srcFiles.every((f) => !isExcluded(ignore, f)), 'no file under src/ is excluded')
})

t.test('the HEALTHCHECK command really passes against a running sidecar and fails without one', async (t) => {
  const hc = keyword(runtime, 'HEALTHCHECK')[0]
  if (hc === undefined) return t.fail('no HEALTHCHECK')
  const words = jsonWords(hc)
  t.equal(words[0], 'node')
  const sim = await startDouble(t, { profile: 'v5' })
  const sc = await startSidecar(t, ['--emqx-url', sim.url, '--shutdown-delay', '0s'])
  const run = (port: number): number | null =>
    spawnSync(process.execPath, words.slice(1), { env: { PATH: process.env.PATH ?? '', SIDECAR_PORT: String(port) }, timeout: 10_000 }).status
  t.equal(run(sc.port), 0, 'healthy while the sidecar runs')
  // a port that was free a moment ago: nothing listens there
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const free = (probe.address() as { port: number }).port
  probe.close()
  await once(probe, 'close')
  t.equal(run(free), 1, 'unhealthy when nothing answers')
})
