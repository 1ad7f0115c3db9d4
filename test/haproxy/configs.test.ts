import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { localizeHaproxyConfig } from '../../src/demo/haproxy-config.js'
import { requireBinary } from '../support/components.js'
import { HAPROXY_DIR, checkHaproxyConfig, shippedConfig } from '../support/haproxy.js'
import { selfSignedPem } from '../support/tls.js'
import { tempDir } from '../support/tmpdir.js'

const CONFIGS = readdirSync(HAPROXY_DIR).filter((f) => f.endsWith('.cfg')).sort()
const LOCAL = { listenPort: 31883, statsSocket: '/tmp/x/admin.sock', servers: [{ mqttPort: 31001, checkPort: 32001 }, { mqttPort: 31002, checkPort: 32002 }, { mqttPort: 31003, checkPort: 32003 }] }

t.test('the four documented configs are shipped', async (t) => {
  t.same(CONFIGS, ['haproxy-agent.cfg', 'haproxy-httpchk.cfg', 'haproxy-sticky.cfg', 'haproxy-tls.cfg'])
})

t.test('haproxy -c accepts every shipped config', async (t) => {
  const bin = requireBinary(t, 'haproxy', 'haproxy')
  if (bin === undefined) return
  const dir = tempDir(t)
  for (const name of CONFIGS) {
    let file = join(HAPROXY_DIR, name)
    if (/\bcrt\s/.test(shippedConfig(name))) {
      // the TLS config names a certificate users provide; only that path is swapped for a real file
      const pem = selfSignedPem(t, dir)
      if (pem === undefined) return
      file = join(dir, name)
      writeFileSync(file, shippedConfig(name).replace(/\bcrt\s+\S+/, `crt ${pem}`))
    }
    const r = await checkHaproxyConfig(bin, file)
    t.equal(r.code, 0, `${name}: ${r.output}`)
    t.notMatch(r.output, /\[WARNING\]|\[ALERT\]/, `${name} has no warnings`)
  }
})

t.test('no shipped config cuts sessions when a node goes down, and every server is checked', async (t) => {
  for (const name of CONFIGS) {
    const text = shippedConfig(name)
    const active = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n')
    t.notMatch(active, /shutdown-sessions/, `${name}: no on-marked-down shutdown-sessions`)
    t.match(active, /balance leastconn/, name)
    t.match(active, /default-server check /, `${name}: health checks on`)
    t.match(active, /agent-check|option httpchk/, `${name}: asks the sidecar`)
    t.equal(active.match(/^\s*server /gm)?.length, 3, `${name}: three sample nodes`)
  }
})

t.test('every configuration line carries a comment explaining it', async (t) => {
  for (const name of CONFIGS) {
    const lines = shippedConfig(name).split('\n')
    lines.forEach((line, i) => {
      if (line.trim() === '' || /^\s*#/.test(line) || /^\S/.test(line)) return // section headers name themselves
      const prev = lines[i - 1] ?? ''
      t.ok(/^\s*#/.test(prev) || /^\s*(server|#)/.test(prev), `${name}:${i + 1} "${line.trim()}" is preceded by a comment`)
    })
  }
})

t.test('localizing changes only addresses, ports and paths', async (t) => {
  for (const name of CONFIGS) {
    const original = shippedConfig(name).split('\n')
    const local = localizeHaproxyConfig(shippedConfig(name), { ...LOCAL, certFile: '/tmp/x/mqtt.pem' }).split('\n')
    t.equal(local.length, original.length, name)
    const mask = (l: string): string => l.replace(/\S*:\d+\b/g, 'ADDR').replace(/\b(agent-port|port) \d+/g, '$1 N').replace(/(socket|crt) \S+/g, '$1 PATH')
    local.forEach((l, i) => { t.equal(mask(l), mask(original[i] ?? ''), `${name}:${i + 1}`) })
    const servers = local.filter((l) => /^\s*server /.test(l))
    t.match(servers[1], /127\.0\.0\.1:31002 .*port 32002/, `${name}: second server gets the second targets`)
    t.match(local.join('\n'), /bind 127\.0\.0\.1:31883/)
    t.match(local.join('\n'), /stats socket \/tmp\/x\/admin\.sock /)
  }
  t.throws(() => localizeHaproxyConfig(shippedConfig('haproxy-agent.cfg'), { ...LOCAL, servers: LOCAL.servers.slice(0, 2) }), /more server lines/)
  t.throws(() => localizeHaproxyConfig('listen x\n  server a 1.2.3.4:1\n', { ...LOCAL, servers: LOCAL.servers.slice(0, 1) }), /no agent-port\/port/)
})

t.test('the openssl recipe next to haproxy-tls.cfg\'s crt line makes a PEM that haproxy -c accepts', async (t) => {
  const bin = requireBinary(t, 'haproxy', 'haproxy')
  if (bin === undefined || requireBinary(t, 'openssl', 'openssl') === undefined) return
  const dir = tempDir(t)
  const text = shippedConfig('haproxy-tls.cfg')
  // the comment lines from `openssl req` to the end of the command (continued with \)
  const lines = text.split('\n')
  const start = lines.findIndex((l) => /^\s*#\s+openssl req /.test(l))
  t.ok(start > 0, 'the recipe is there')
  let cmd = ''
  for (let i = start; i < lines.length; i++) {
    const l = (lines[i] ?? '').replace(/^\s*#\s*/, '')
    cmd += l.endsWith('\\') ? `${l.slice(0, -1)} ` : l
    if (!l.endsWith('\\')) break
  }
  const local = cmd.replaceAll('/tmp/', `${dir}/`).replaceAll('/etc/haproxy/certs/', `${dir}/`)
  const r = spawnSync('sh', ['-c', local], { encoding: 'utf8' })
  t.equal(r.status, 0, `${local}: ${r.stderr}`)
  const file = join(dir, 'haproxy-tls.cfg')
  writeFileSync(file, text.replaceAll('/etc/haproxy/certs/', `${dir}/`))
  const check = await checkHaproxyConfig(bin, file)
  t.equal(check.code, 0, check.output)
})
