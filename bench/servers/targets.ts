import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BARE, IN_SIDECAR_BARE } from '../lib/names.js'
import { findBinary, freePort, startSidecar, stopChild, waitForLine, type Target } from '../lib/proc.js'

const BARE_SCRIPT = fileURLToPath(new URL('./bare-http.js', import.meta.url))
const IN_PROCESS = new URL('./in-process.js', import.meta.url).href

/** The bare node:http baseline in its own process (by default on this runtime, without node flags). */
export async function startBare (body: string, port = 0, node = process.execPath, nodeArgs: readonly string[] = [], name = BARE): Promise<Target> {
  const child = spawn(node, [...nodeArgs, BARE_SCRIPT], { env: { PATH: process.env.PATH ?? '', BARE_BODY: body, BARE_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] })
  const line = await waitForLine(child, (l) => l.includes('"event":"listening"'), 10_000, 'bare node:http listening')
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
  await waitUntilAnswering(port, sidecar.pid)
  return { ...sidecar, name: IN_SIDECAR_BARE, port }
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
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] })
  await waitUntilAnswering(port, child.pid ?? -1)
  return {
    name: 'nginx return 200', pid: child.pid ?? -1, port, child,
    stop: async () => { await stopChild(child, 'SIGTERM'); rmSync(dir, { recursive: true, force: true }) },
  }
}

async function waitUntilAnswering (port: number, pid: number): Promise<void> {
  const deadline = performance.now() + 10_000
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`)
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {}
    if (performance.now() > deadline) throw new Error(`nginx (pid ${pid}) did not answer on port ${port} within 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
