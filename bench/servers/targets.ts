import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NODE_FLAGS } from '../../src/node-flags.js'
import { BARE, FLOOR_HANDLER, IN_SIDECAR_BARE } from '../lib/names.js'
import { awaitStartup, findBinary, freePort, startSidecar, stopChild, track, type Target } from '../lib/proc.js'
import { exitReason, LineTail, running, startupBound, startupFailure, TAIL_LINES } from '../lib/startup.js'

const BARE_SCRIPT = fileURLToPath(new URL('./bare-http.js', import.meta.url))
const IN_PROCESS = new URL('./in-process.js', import.meta.url).href
const FLOOR_SCRIPT = fileURLToPath(new URL('./floor.js', import.meta.url))

/** The bare node:http baseline in its own process (by default on this runtime, without node flags). */
export async function startBare (body: string, port = 0, node = process.execPath, nodeArgs: readonly string[] = [], name = BARE): Promise<Target> {
  const env = { PATH: process.env.PATH ?? '', BARE_BODY: body, BARE_PORT: String(port) }
  const child = track(spawn(node, [...nodeArgs, BARE_SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] }))
  const line = await awaitStartup(child, (l) => l.includes('"event":"listening"'), 'bare node:http listening')
  return { name, pid: child.pid ?? -1, port: (JSON.parse(line) as { port: number }).port, child, stop: async () => { await stopChild(child) } }
}

/**
 * The bare handler inside a running sidecar process (in-process.ts, preloaded with --import): same
 * runtime state as the sidecar (libraries, heap, poll loop), without its probe path. The target's
 * pid is the sidecar's, so its CPU figure covers the whole process, as the sidecar's does.
 */
export async function startInSidecarBare (body: string, emqxUrl: string): Promise<Target> {
  const port = await freePort()
  const sidecar = await startSidecar({ emqxUrl, nodeArgs: ['--import', IN_PROCESS], env: { BARE_BODY: body, BARE_PORT: String(port) } })
  try {
    await waitUntilAnswering(port, sidecar.child, 'the bare handler in the sidecar')
  } catch (err) {
    await sidecar.stop()
    throw err
  }
  return { ...sidecar, name: IN_SIDECAR_BARE, port }
}

/**
 * The libraries' floor (floor.ts) with the bare handler preloaded (in-process.ts) on a port of its own,
 * under the sidecar's node flags: what any handler costs in a process built on the sidecar's four
 * libraries, set up as the sidecar sets them up. The probe-cost target is judged against it.
 */
export async function startFloorHandler (body: string): Promise<Target> {
  const port = await freePort()
  const env = { PATH: process.env.PATH ?? '', BARE_BODY: body, BARE_PORT: String(port) }
  const child = track(spawn(process.execPath, [...NODE_FLAGS, '--import', IN_PROCESS, FLOOR_SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] }))
  try {
    await waitUntilAnswering(port, child, 'the bare handler in the libraries\' floor')
  } catch (err) {
    await stopChild(child)
    throw err
  }
  return { name: FLOOR_HANDLER, pid: child.pid ?? -1, port, child, stop: async () => { await stopChild(child) } }
}

/**
 * The C ceiling: nginx `return 200` with the same body and headers, one worker (the sidecar and the
 * bare server are one thread each), keep-alive not capped at 1,000 requests per connection.
 * Undefined when nginx is not installed.
 */
export async function startNginx (body: string): Promise<Target | undefined> {
  const bin = findBinary('nginx')
  if (bin === undefined) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-bench-nginx-'))
  const port = await freePort()
  const escaped = body.replace(/\\/g, '\\\\').replace(/'/g, "\\'")
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 5s;
  server {
    listen 127.0.0.1:${port};
    location / { default_type application/json; add_header Cache-Control no-store; return 200 '${escaped}'; }
  }
}
`)
  const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')]
  const child = track(spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] }))
  try {
    await waitUntilAnswering(port, child, 'nginx', join(dir, 'error.log'))
  } catch (err) {
    await stopChild(child)
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return {
    name: 'nginx return 200',
    pid: child.pid ?? -1,
    port,
    child,
    stop: async () => { await stopChild(child, 'SIGTERM'); rmSync(dir, { recursive: true, force: true }) },
  }
}

/**
 * Polls http://127.0.0.1:port/ until it answers 200 within the start-up bound (no line to wait for); fails
 * early when the child exits. The error names what was awaited, the bound, the child's output and `log` (a file).
 * The caller stops the child on failure.
 */
async function waitUntilAnswering (port: number, child: ChildProcess, what: string, log?: string): Promise<void> {
  const bound = startupBound()
  const stdout = new LineTail()
  let stderr = ''
  const onOut = (c: string): void => { stdout.push(c) }
  const onErr = (c: string): void => { if (stderr.length < 100_000) stderr += c }
  child.stdout?.setEncoding('utf8').on('data', onOut)
  child.stderr?.setEncoding('utf8').on('data', onErr)
  const fail = (reason: string): Error => {
    let logText = ''
    if (log !== undefined) { try { logText = readFileSync(log, 'utf8') } catch {} }
    const more = logText === '' ? [] : [`${log ?? ''}:`, ...logText.trimEnd().split('\n').slice(-TAIL_LINES).map((l) => `  ${l}`)]
    const awaited = `${what} to answer 200 on port ${port}`
    return startupFailure({ what: awaited, reason, bound, pid: child.pid, stdout: stdout.lines(), stderr, more })
  }
  const deadline = performance.now() + bound.ms
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`)
        await res.arrayBuffer()
        if (res.status === 200) return
      } catch {}
      if (!running(child)) throw fail(exitReason(child.exitCode, child.signalCode))
      if (performance.now() > deadline) throw fail(`timed out after ${bound.ms} ms`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  } finally {
    child.stdout?.off('data', onOut)
    child.stderr?.off('data', onErr)
    child.stdout?.resume()
    child.stderr?.resume()
  }
}
