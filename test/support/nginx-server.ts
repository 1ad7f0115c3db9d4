import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { waitFor } from './wait.js'
import {
  exitReason, gone, killAndWait, LineTail, running, startupBound, startupFailure, TAIL_LINES, toBound, type Bound,
} from '../../bench/lib/startup.js'

export const NGINX_DIR = fileURLToPath(new URL('../../nginx/', import.meta.url))
/** where nginx-njs.conf loads njs from (Debian's libnginx-mod-stream-js) */
export const NJS_MODULE = '/usr/lib/nginx/modules/ngx_stream_js_module.so'

export interface NginxSetup {
  readonly dir: string
  readonly conf: string
  readonly upstreamFile: string
  /** njs mode: the state file the shipped config reads (nginx-sync --njs-state) */
  readonly stateFile: string
  readonly errorLog: string
  /** `-p ... -c ... -g '...'`: runs this nginx as any user, away from /etc/nginx and /run */
  readonly args: readonly string[]
  /** shell commands for nginx-sync's --check-command / --reload-command */
  readonly checkCommand: string
  readonly reloadCommand: string
}

export interface PrepareOptions {
  readonly tcpPort: number
  readonly tlsPort: number
  readonly proxyProtocol: boolean
  /** the njs files (nginx-njs.conf, emqx-stream-njs.conf, njs/emqx-lb.js) with these fallback servers */
  readonly njsFallback?: readonly string[]
}

/**
 * The shipped nginx/nginx.conf + nginx/emqx-stream.conf (or their njs variants), copied to a temporary
 * directory with only paths, ports and node addresses replaced. Every replacement must match, so an edit
 * of the shipped files that the test no longer covers fails here instead of silently testing something else.
 */
export function prepareNginx (t: Test, bin: string, o: PrepareOptions): NginxSetup {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-e2e-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  mkdirSync(join(dir, 'certs'))
  const key = join(dir, 'certs', 'mqtt.key')
  const crt = join(dir, 'certs', 'mqtt.crt')
  const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', crt,
    '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { encoding: 'utf8' })
  if (ssl.status !== 0) throw new Error(`openssl failed: ${ssl.stderr}`)

  const replace = (text: string, from: string | RegExp, to: string, file: string): string => {
    const out = text.replace(typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'g') : from, to)
    if (out === text) throw new Error(`nginx/${file} no longer contains ${String(from)}: update the test with the shipped config`)
    return out
  }
  const njs = o.njsFallback !== undefined
  const [mainName, streamName] = njs ? ['nginx-njs.conf', 'emqx-stream-njs.conf'] : ['nginx.conf', 'emqx-stream.conf']
  let main = readFileSync(join(NGINX_DIR, mainName), 'utf8')
  main = replace(main, '/etc/nginx/', `${dir}/`, mainName)
  let stream = readFileSync(join(NGINX_DIR, streamName), 'utf8')
  stream = replace(stream, '/etc/nginx/', `${dir}/`, streamName)
  stream = replace(stream, '/var/log/nginx/', `${dir}/`, streamName)
  stream = replace(stream, /listen 1883;/g, `listen 127.0.0.1:${o.tcpPort};`, streamName)
  stream = replace(stream, /listen 8883 ssl;/g, `listen 127.0.0.1:${o.tlsPort} ssl;`, streamName)
  // mosquitto 2.0 does not speak the PROXY protocol; the PROXY test uses a raw TCP backend instead.
  if (!o.proxyProtocol) stream = replace(stream, /proxy_protocol on;/g, 'proxy_protocol off;', streamName)
  const stateFile = join(dir, 'state.json')
  if (njs) {
    stream = replace(stream, '/run/emqx-lb/state.json', stateFile, streamName)
    stream = replace(stream, /(\n\s*server 10\.0\.0\.\d+:1883;)+/, (o.njsFallback ?? []).map((a) => `\n        server ${a};`).join(''), streamName)
    // as root nginx's workers run as `nobody`: like /run/emqx-lb, the directory needs o+x for them to read the state
    chmodSync(dir, 0o711)
    mkdirSync(join(dir, 'njs'))
    copyFileSync(join(NGINX_DIR, 'njs', 'emqx-lb.js'), join(dir, 'njs', 'emqx-lb.js'))
  }
  const conf = join(dir, 'nginx.conf')
  writeFileSync(conf, main)
  writeFileSync(join(dir, streamName), stream)
  const errorLog = join(dir, 'error.log')
  const pid = join(dir, 'nginx.pid')
  const globals = `pid ${pid}; error_log ${errorLog} notice;`
  const args = ['-p', `${dir}/`, '-c', conf, '-g', globals]
  const shellArgs = `-p '${dir}/' -c '${conf}' -g '${globals}'`
  return {
    dir,
    conf,
    upstreamFile: join(dir, 'emqx-upstream.conf'),
    stateFile,
    errorLog,
    args,
    checkCommand: `${bin} -t -q ${shellArgs}`,
    reloadCommand: `${bin} -s reload ${shellArgs}`,
  }
}

export interface RunningNginx {
  /** the master process (nginx runs in the foreground) */
  readonly pid: number
  /** pids of the master's current worker processes, sorted */
  readonly workers: () => number[]
  /** nginx's error log (notice level: worker starts, reloads, graceful shutdowns) */
  readonly errorLog: () => string
  /**
   * True once the `reloads`-th reload took effect: `nginx -s reload` returns before the master has
   * switched, so this waits until every worker of the previous generation logged that it stopped
   * accepting ("gracefully shutting down", logged after the new workers were started).
   */
  readonly reloaded: (reloads: number) => boolean
}

/** Worker pids per configuration generation, read from the error log. */
export function workerGenerations (log: string): number[][] {
  const gens: number[][] = [[]]
  for (const line of log.split('\n')) {
    if (/#\d+: reconfiguring$/.test(line)) gens.push([])
    const m = /start worker process (\d+)$/.exec(line)
    if (m !== null) gens[gens.length - 1]?.push(Number(m[1]))
  }
  return gens
}

/**
 * Starts nginx in the foreground (daemon off) and stops it (SIGTERM: fast shutdown) when the test ends.
 * Resolves once the error log shows a worker started, within the start-up bound (bench/lib/startup.ts); when
 * it does not, or nginx exits first, kills it (SIGKILL, exit awaited) and rejects naming the bound, nginx's
 * output and the error log's last lines.
 */
export async function startNginx (t: Test, bin: string, setup: NginxSetup, listenPort: number,
  bound: number | Bound = startupBound()): Promise<RunningNginx> {
  const child = spawn(bin, [...setup.args.slice(0, -1), `${setup.args.at(-1) ?? ''} daemon off;`], { stdio: ['ignore', 'pipe', 'pipe'] })
  const stdout = new LineTail()
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout.push(c) })
  child.stderr.setEncoding('utf8').on('data', (c: string) => { if (stderr.length < 100_000) stderr += c })
  const end = gone(child)
  t.teardown(async () => { if (running(child)) { child.kill('SIGTERM'); await end } })
  const errorLog = (): string => { try { return readFileSync(setup.errorLog, 'utf8') } catch { return '' } }
  const b = toBound(bound)
  const fail = (reason: string): Error => {
    const last = errorLog().trimEnd().split('\n').slice(-TAIL_LINES).map((l) => `  ${l}`)
    const more = [`${setup.errorLog} (last ${TAIL_LINES} lines):`, ...last]
    const what = `nginx to start a worker (port ${listenPort})`
    return startupFailure({ what, reason, bound: b, pid: child.pid, stdout: stdout.lines(), stderr, more })
  }
  try {
    // nginx's readiness is a line in its error log (a file: no event to await)
    const started = (text: string): boolean => !running(child) || /start worker process/.test(text)
    await waitFor(() => errorLog(), started, { what: 'nginx start', timeoutMs: b.ms })
  } catch {
    await killAndWait(child, end)
    throw fail(`timed out after ${b.ms} ms`)
  }
  if (!running(child)) {
    const e = await end
    throw fail(exitReason(e.code, e.signal, e.spawnError))
  }
  const reloaded = (reloads: number): boolean => {
    const text = errorLog()
    const gens = workerGenerations(text)
    const previous = gens[reloads - 1]
    return gens.length > reloads && previous !== undefined && previous.length > 0 &&
      previous.every((pid) => text.includes(`${pid}#${pid}: gracefully shutting down`))
  }
  const pid = child.pid ?? 0
  const workers = (): number[] => {
    const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
    return r.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0).sort((a, b) => a - b)
  }
  return { pid, errorLog, reloaded, workers }
}

/** The njs stream module the shipped njs configs load; missing fails in CI (CI=true) and skips locally, like requireBinary. */
export function requireNjs (t: Test): boolean {
  if (existsSync(NJS_MODULE)) return true
  const msg = `${NJS_MODULE} is missing: apt-get install -y libnginx-mod-stream-js`
  if (process.env.CI === 'true') t.fail(msg)
  else t.plan(0, msg)
  return false
}
