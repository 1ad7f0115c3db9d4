import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { serveOptions } from '../../src/config/options.js'
import { ConfigError } from '../../src/errors.js'
import { loadNginxSyncConfig } from '../../src/commands/nginx-sync-config.js'

const files: Record<string, string> = {
  '/n.txt': '127.0.0.1:1883 http://127.0.0.1:9183\n127.0.0.2:1883 http://127.0.0.2:9183 weight=2\n',
  '/bad.txt': 'nonsense\n127.0.0.1:1883 http://127.0.0.1:9183 down\n',
  '/empty.txt': '# nothing\n',
}
const read = (p: string): string => { const f = files[p]; if (f === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' }); return f }

function problems (argv: string[], env: Record<string, string> = {}): readonly string[] {
  try { loadNginxSyncConfig(argv, env, read) } catch (err) { if (err instanceof ConfigError) return err.problems; throw err }
  return []
}

t.test('defaults and a nodes file', async (t) => {
  const { config } = loadNginxSyncConfig(['--nodes-file', '/n.txt', '--output', '/etc/nginx/up.conf'], {}, read)
  t.equal(config.nodes.length, 2)
  t.match(config, { upstreamName: 'emqx_mqtt', balance: 'least_conn', pollIntervalMs: 1000, settleMs: 1000, minReloadIntervalMs: 5000, checkCommand: 'nginx -t -q', reloadCommand: 'nginx -s reload', port: 9186, once: false })
  t.ok(Object.isFrozen(config))
})

t.test('environment variables work like flags', async (t) => {
  const { config } = loadNginxSyncConfig([], { SIDECAR_NODES: '127.0.0.1:1883 http://127.0.0.1:9183', SIDECAR_OUTPUT: '/x/up.conf', SIDECAR_SETTLE: '0', SIDECAR_RELOAD_COMMAND: 'systemctl reload nginx' }, read)
  t.equal(config.nodes.length, 1)
  t.equal(config.settleMs, 0)
  t.equal(config.reloadCommand, 'systemctl reload nginx')
})

t.test('every problem at once', async (t) => {
  const p = problems(['--nodes-file', '/bad.txt', '--upstream-name', 'a b', '--zone-size', 'big', '--poll-interval', '100ms', '--probe-timeout', '5s', '--balance', 'ip_hash'])
  t.match(p.join('\n'), /\/bad\.txt line 1: expected/)
  t.match(p.join('\n'), /\/bad\.txt line 2: unknown server parameter "down"/)
  t.match(p.join('\n'), /--upstream-name: "a b"/)
  t.match(p.join('\n'), /--zone-size: "big"/)
  t.match(p.join('\n'), /--probe-timeout \(5000ms\) is more than 5 poll intervals/)
  t.match(p.join('\n'), /--balance: "ip_hash" is not one of/)
  t.match(p.join('\n'), /no --output/)
})

t.test('nodes: none, both, unreadable, empty', async (t) => {
  t.match(problems(['--output', '/o']).join(), /no nodes: set --nodes-file/)
  t.match(problems(['--output', '/o', '--nodes-file', '/n.txt', '--nodes', '127.0.0.1:1 http://a']).join(), /both set/)
  t.match(problems(['--output', '/o', '--nodes-file', '/missing.txt']).join(), /cannot read \/missing\.txt \(ENOENT\)/)
  t.match(problems(['--output', '/o', '--nodes-file', '/empty.txt']).join(), /lists no nodes/)
})

t.test('--njs-state: reload-free mode instead of --output; balance defaults to weighted random there', async (t) => {
  const { config } = loadNginxSyncConfig(['--nodes-file', '/n.txt', '--njs-state', '/run/emqx-lb/state.json'], {}, read)
  t.match(config, { njsState: '/run/emqx-lb/state.json', output: '', balance: 'random' })
  t.equal(loadNginxSyncConfig(['--nodes-file', '/n.txt', '--njs-state', '/s.json', '--balance', 'hash_remote_addr'], {}, read).config.balance, 'hash_remote_addr')
  t.equal(loadNginxSyncConfig([], { SIDECAR_NODES_FILE: '/n.txt', SIDECAR_NJS_STATE: '/s.json' }, read).config.njsState, '/s.json')
  t.equal(loadNginxSyncConfig(['--nodes-file', '/n.txt', '--output', '/up.conf'], {}, read).config.njsState, undefined)
})

t.test('--njs-state problems: both modes, a directory, a balance njs cannot do', async (t) => {
  t.match(problems(['--nodes-file', '/n.txt', '--njs-state', '/s.json', '--output', '/up.conf']).join('\n'), /--output and --njs-state are both set/)
  t.match(problems(['--nodes-file', '/n.txt', '--njs-state', '/run/']).join('\n'), /--njs-state: \/run\/ is a directory/)
  for (const b of ['least_conn', 'round_robin']) {
    t.match(problems(['--nodes-file', '/n.txt', '--njs-state', '/s.json', '--balance', b]).join('\n'), new RegExp(`--balance ${b} needs nginx's upstream`))
  }
  t.match(problems(['--nodes-file', '/n.txt']).join('\n'), /no --output .* or --njs-state/)
})

t.test('the default port is clear of every port the sidecar and the deploy manifests use on the same host', async (t) => {
  const { config } = loadNginxSyncConfig(['--nodes-file', '/n.txt', '--output', '/o'], {}, read)
  const used = new Map<number, string>()
  for (const o of serveOptions) if (o.kind === 'port' && o.default !== undefined) used.set(Number(o.default), `sidecar --${o.flag}`)
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [])
  for (const file of walk(fileURLToPath(new URL('../../deploy', import.meta.url)))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:containerPort:\s*|PORT\s*\n\s*value:\s*"?|\/dev\/tcp\/[\d.]+\/)(\d{2,5})/g)) used.set(Number(m[1]), file)
  }
  t.ok(used.has(9184) && used.has(9185), 'the scan sees the agent-check port and the manifests\' admin port')
  t.notOk(used.has(config.port), `nginx-sync's ${config.port} is not used by ${used.get(config.port) ?? 'anything'}`)
})

t.test('a refused --nodes or --output is reported once, not also as missing', async (t) => {
  t.same(problems(['--nodes', '', '--output', '/o']), ['--nodes: must not be empty'])
  t.same(problems(['--nodes-file', '/n.txt', '--output', '']), ['--output: must not be empty'])
  t.same(problems(['--nodes-file', '/n.txt', '--output', '/o', '--settle', '2']), ['--settle: "2" has no unit: write 2s or 2ms (every duration needs a unit)'])
})
