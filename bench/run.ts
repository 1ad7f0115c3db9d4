import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, type } from 'node:os'
import { fileURLToPath } from 'node:url'
import { EmqxSim } from '../src/sim/emqx-sim.js'
import { plan, UsageError, type Plan } from './lib/plan.js'
import { Observer } from './lib/observe.js'
import { startSidecar, type Target } from './lib/proc.js'
import { checkTargets, renderMarkdown, type Results } from './lib/report.js'
import { drainDetection, type DrainResult } from './sections/drain.js'
import { footprint } from './sections/footprint.js'
import { haproxyEndToEnd } from './sections/haproxy.js'
import { serving } from './sections/serving.js'
import { checkerStorm } from './sections/storm.js'
import { upstreamCost } from './sections/upstream.js'
import { BARE_AGAIN } from './lib/names.js'
import { startBare, startInSidecarBare, startNginx } from './servers/targets.js'
import { NODE_FLAGS } from '../src/node-flags.js'
import { findWrk } from './lib/wrk.js'
import { withKept } from './lib/kept.js'

/** `npm run bench`: runs the sections in order, prints the markdown and writes it (bench/results.md). */
const DEFAULT_OUT = fileURLToPath(new URL('../../results.md', import.meta.url))

const progress = (msg: string): void => { process.stderr.write(`[bench] ${msg}\n`) }

async function main (p: Plan): Promise<Results> {
  const cpu = cpus()
  let results: Results = {
    machine: { cpu: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length, node: process.version, os: `${type()} ${release()}`, date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), load: loadavg().map((l) => l.toFixed(2)).join(' ') },
    mode: p.smoke ? 'smoke mode: seconds, figures not meaningful' : `full run, ${p.serving.durationMs / 1000} s per probe-serving load`,
  }
  const sim = new EmqxSim()
  await sim.listen()
  try {
    if (p.sections.has('serving')) results = { ...results, serving: await servingWithTargets(sim, p) }
    if (p.sections.has('drain')) {
      const drain: DrainResult[] = []
      for (const i of p.drain.intervalsMs) drain.push(await drainDetection(sim, i, p.drain.flips, progress))
      results = { ...results, drain }
    }
    if (p.sections.has('upstream')) results = { ...results, upstream: await upstreamCost(p.upstream.rates, p.upstream.durationMs, progress) }
    if (p.sections.has('footprint')) results = { ...results, footprint: await footprint(sim, p.footprint, progress), storm: await checkerStorm(sim, p.storm, progress) }
    if (p.sections.has('haproxy')) results = { ...results, haproxy: await haproxyEndToEnd(p.haproxy, progress) }
  } finally {
    await sim.close()
  }
  return results
}

/** The sidecar, the bare node:http server answering the sidecar's exact `up` body, and nginx when installed. */
async function servingWithTargets (sim: EmqxSim, p: Plan): Promise<NonNullable<Results['serving']>> {
  sim.stopProcess()
  const targets: Target[] = []
  try {
    const sidecar = await startSidecar({ emqxUrl: sim.url })
    targets.push(sidecar)
    const observer = new Observer(sidecar.port)
    await observer.until(200, 10_000)
    await observer.close()
    const body = await (await fetch(`http://127.0.0.1:${sidecar.port}/availability`)).text()
    // under the sidecar's node flags: the ratio then measures code, not a flag difference (bench/README.md)
    targets.unshift(await startBare(body, 0, process.execPath, NODE_FLAGS))
    // the same bare handler inside a sidecar process: splits the sidecar's cost into process and probe path
    targets.push(await startInSidecarBare(body, sim.url))
    // an identical second bare server: how far apart two equal servers land is the method's own noise
    targets.push(await startBare(body, 0, process.execPath, NODE_FLAGS, BARE_AGAIN))
    const nginx = await startNginx(body)
    if (nginx !== undefined) targets.push(nginx)
    else progress('nginx not installed: no C ceiling in the serving table (apt-get install nginx)')
    const wrk = findWrk()
    if (wrk === undefined) progress('wrk not installed: closed-loop keep-alive rows use the JavaScript generator (apt-get install wrk)')
    return await serving({ targets, ...p.serving, wrk, progress })
  } finally {
    for (const t of targets) await t.stop()
  }
}

try {
  const p = plan(process.argv.slice(2), DEFAULT_OUT)
  const results = await main(p)
  const md = renderMarkdown(results)
  process.stdout.write(md)
  if (p.out !== undefined) { writeFileSync(p.out, withKept(md, existsSync(p.out) ? readFileSync(p.out, 'utf8') : undefined)); progress(`wrote ${p.out}`) }
  const missed = checkTargets(results).filter((c) => !c.met)
  if (missed.length > 0) progress(`${missed.length} target(s) missed: ${missed.map((c) => c.target).join('; ')}`)
  // targets are reported, not enforced: a missed target is a finding, not a crash
  process.exitCode = 0
} catch (err) {
  if (err instanceof UsageError) { process.stderr.write(`${err.message}\n`); process.exitCode = 2 } else throw err
}
