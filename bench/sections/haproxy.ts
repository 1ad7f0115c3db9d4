import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { EmqxDouble } from '../../src/emqx-double/double.js'
import { Haproxy } from '../../src/demo/haproxy.js'
import { localizeConfig } from '../lib/haproxy.js'
import { CLI, findBinary, freePort, startSidecar } from '../lib/proc.js'
import { seededRandom } from '../lib/random.js'
import { summarize, type Summary } from '../lib/stats.js'

export interface HaproxyRow { readonly config: string, readonly out: Summary, readonly back: Summary }
export interface HaproxyResult {
  readonly skipped?: string
  readonly version: string
  readonly pollIntervalMs: number
  readonly rows: readonly HaproxyRow[]
  readonly note?: string
}

const HAPROXY_DIR = fileURLToPath(new URL('../../../../haproxy/', import.meta.url))

interface Variant { readonly file: string, readonly agent: boolean }
const VARIANTS: readonly Variant[] = [{ file: 'haproxy-agent.cfg', agent: true }, { file: 'haproxy-httpchk.cfg', agent: false }]

/** Out of rotation for new connections: DOWN (httpchk), DRAIN (agent), MAINT, NOLB; "UP 1/2" is still in. */
const isOut = (status: string): boolean => /^(DOWN|DRAIN|MAINT|NOLB)/.test(status)

/**
 * End to end: EMQX double flips to donor at a random moment -> the sidecar notices -> HAProxy (the
 * shipped configs, addresses localized) takes the server out; then back. Read from HAProxy's runtime API.
 */
export async function haproxyEndToEnd (o: { flips: number, pollIntervalMs: number, maxPauseMs: number }, progress: (msg: string) => void): Promise<HaproxyResult> {
  const bin = findBinary('haproxy')
  if (bin === undefined) return { skipped: 'haproxy is not installed (apt-get install haproxy)', version: '', pollIntervalMs: o.pollIntervalMs, rows: [] }
  const version = /version (\S+)/.exec(spawnSync(bin, ['-v'], { encoding: 'utf8' }).stdout)?.[1] ?? '?'
  const hasAgent = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout.includes('--agent-port')
  const rows: HaproxyRow[] = []
  const notes: string[] = []
  for (const v of VARIANTS) {
    const path = join(HAPROXY_DIR, v.file)
    if (!existsSync(path)) { notes.push(`haproxy/${v.file} is missing: not measured.`); continue }
    if (v.agent && !hasAgent) { notes.push('this build has no --agent-port: agent-check not measured.'); continue }
    progress(`haproxy end to end: ${v.file}, ${o.flips} flips out and back`)
    rows.push(await measure(bin, readFileSync(path, 'utf8'), v.file, v.agent, o))
  }
  return { version, pollIntervalMs: o.pollIntervalMs, rows, ...(notes.length > 0 ? { note: notes.join(' ') } : {}) }
}

async function measure (bin: string, config: string, label: string, agent: boolean, o: { flips: number, pollIntervalMs: number, maxPauseMs: number }): Promise<HaproxyRow> {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-bench-haproxy-'))
  const sim = new EmqxDouble()
  await sim.listen()
  // stands in for EMQX's MQTT listener: the L4 `check` only needs the TCP connect to succeed
  const mqtt = createServer((s) => s.destroy())
  mqtt.listen(0, '127.0.0.1')
  const mqttPort = await new Promise<number>((resolve) => mqtt.once('listening', () => resolve((mqtt.address() as { port: number }).port)))
  const agentPort = agent ? await freePort() : undefined
  const sidecar = await startSidecar({ emqxUrl: sim.url, pollIntervalMs: o.pollIntervalMs, ...(agentPort !== undefined ? { extraArgs: ['--agent-port', String(agentPort)] } : {}) })
  const socket = join(dir, 'admin.sock')
  const file = join(dir, 'haproxy.cfg')
  writeFileSync(file, localizeConfig(config, { listenPort: await freePort(), statsSocket: socket, mqttPort, checkPort: agentPort ?? sidecar.port }))
  const haproxy = await Haproxy.start(bin, file, socket)
  const random = seededRandom(7)
  const out: number[] = []
  const back: number[] = []
  const until = async (accept: (s: string) => boolean, what: string): Promise<number> => {
    const deadline = performance.now() + 30_000
    for (;;) {
      const s = (await haproxy.stats())[0]?.status ?? ''
      if (accept(s)) return performance.now()
      if (performance.now() > deadline) throw new Error(`HAProxy still shows ${s} after 30 s (${label}, waiting for ${what})`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  try {
    await until((s) => s === 'UP', 'UP')
    for (let i = 0; i < o.flips; i++) {
      await new Promise((resolve) => setTimeout(resolve, random() * o.maxPauseMs))
      sim.becomeDonor()
      let t0 = performance.now()
      out.push(await until(isOut, 'out of rotation') - t0)
      await new Promise((resolve) => setTimeout(resolve, random() * o.maxPauseMs))
      sim.stopProcess()
      t0 = performance.now()
      back.push(await until((s) => s === 'UP', 'UP') - t0)
    }
  } finally {
    await haproxy.stop()
    await sidecar.stop()
    await sim.close()
    await new Promise((resolve) => mqtt.close(resolve))
    rmSync(dir, { recursive: true, force: true })
  }
  return { config: label, out: summarize(out), back: summarize(back) }
}
