import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, type } from 'node:os'
import { fileURLToPath } from 'node:url'
import { EmqxDouble } from '../src/emqx-double/double.js'
import { plan, UsageError, type Plan } from './lib/plan.js'
import { Observer } from './lib/observe.js'
import { startSidecar, stopAll, type Target } from './lib/proc.js'
import { checkTargets, renderMarkdown, type Failure, type Results } from './lib/report.js'
import { drainDetection, type DrainResult } from './sections/drain.js'
import { footprint } from './sections/footprint.js'
import { probeCost } from './sections/probe-cost.js'
import { probeCostWithStreams } from './sections/probe-cost-streams.js'
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

/**
 * Runs one section; when it throws, reports it as failed (progress line, `failed` in the results), stops every
 * process it left running (proc.ts stopAll) and goes on with the next: one broken section costs its own figures only.
 */
async function section<T> (name: string, failed: Failure[], run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run()
  } catch (err) {
    const stopped = await stopAll()
    const text = err instanceof Error ? err.message : String(err)
    const left = stopped > 0 ? ` (stopped ${stopped} process(es) it left running)` : ''
    progress(`section ${name} failed${left}: ${err instanceof Error ? err.stack ?? text : text}`)
    failed.push({ section: name, error: text })
    return undefined
  }
}

async function main (p: Plan): Promise<Results> {
  const cpu = cpus()
  let results: Results = {
    machine: { cpu: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length, node: process.version, os: `${type()} ${release()}`, date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), load: loadavg().map((l) => l.toFixed(2)).join(' ') },
    mode: p.smoke ? 'smoke mode: seconds, figures not meaningful' : `full run, ${p.serving.durationMs / 1000} s per probe-serving load`,
  }
  const failed: Failure[] = []
  const sim = new EmqxDouble()
  await sim.listen()
  try {
    if (p.sections.has('probe-cost')) {
      const cost = await section('probe cost', failed, async () => await probeCost(sim, p.probeCost, progress))
      if (cost !== undefined) results = { ...results, probeCost: cost }
      const streams = await section('probe cost with event streams', failed, async () => await probeCostWithStreams(sim, p.probeCost, progress))
      if (streams !== undefined) results = { ...results, probeCostStreams: streams }
    }
    if (p.sections.has('serving')) {
      const serving = await section('probe serving', failed, async () => await servingWithTargets(sim, p))
      if (serving !== undefined) results = { ...results, serving }
    }
    if (p.sections.has('drain')) {
      const drain = await section('drain detection', failed, async () => {
        const out: DrainResult[] = []
        for (const i of p.drain.intervalsMs) out.push(await drainDetection(sim, i, p.drain.flips, progress))
        return out
      })
      if (drain !== undefined) results = { ...results, drain }
    }
    if (p.sections.has('upstream')) {
      const upstream = await section('upstream cost', failed, async () =>
        await upstreamCost(p.upstream.rates, p.upstream.durationMs, progress))
      if (upstream !== undefined) results = { ...results, upstream }
    }
    if (p.sections.has('footprint')) {
      const fp = await section('footprint', failed, async () => await footprint(sim, p.footprint, progress))
      if (fp !== undefined) results = { ...results, footprint: fp }
      const storm = await section('checker storm', failed, async () => await checkerStorm(sim, p.storm, progress))
      if (storm !== undefined) results = { ...results, storm }
    }
    if (p.sections.has('haproxy')) {
      const haproxy = await section('haproxy end to end', failed, async () => await haproxyEndToEnd(p.haproxy, progress))
      if (haproxy !== undefined) results = { ...results, haproxy }
    }
  } finally {
    await sim.close()
  }
  return failed.length > 0 ? { ...results, failed } : results
}

/** The sidecar, the bare node:http server answering the sidecar's exact `up` body, and nginx when installed. */
async function servingWithTargets (sim: EmqxDouble, p: Plan): Promise<NonNullable<Results['serving']>> {
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

let p: Plan | undefined
try {
  p = plan(process.argv.slice(2), DEFAULT_OUT)
} catch (err) {
  if (!(err instanceof UsageError)) throw err
  process.stderr.write(`${err.message}\n`)
  process.exitCode = 2
}
if (p !== undefined) {
  try {
    const results = await main(p)
    const md = renderMarkdown(results)
    process.stdout.write(md)
    const failed = results.failed ?? []
    if (failed.length > 0) {
      // a partial report must not replace a complete results.md
      const notWritten = p.out !== undefined ? `; ${p.out} not written` : ''
      progress(`${failed.length} section(s) failed: ${failed.map((f) => f.section).join(', ')}${notWritten}`)
      process.exitCode = 1
    } else {
      if (p.out !== undefined) {
        writeFileSync(p.out, withKept(md, existsSync(p.out) ? readFileSync(p.out, 'utf8') : undefined))
        progress(`wrote ${p.out}`)
      }
      // targets are reported, not enforced: a missed target is a finding, not a crash
      process.exitCode = 0
    }
    const missed = checkTargets(results).filter((c) => !c.met)
    if (missed.length > 0) progress(`${missed.length} target(s) missed: ${missed.map((c) => c.target).join('; ')}`)
  } catch (err) {
    // outside any section (the EMQX double, the report): reported, exit 1, nothing left running (below)
    progress(`failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
    process.exitCode = 1
  } finally {
    const stopped = await stopAll()
    if (stopped > 0) progress(`stopped ${stopped} process(es) left running`)
  }
}
