import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.js'
import { errnoCode, parseOptions, type Env } from '../config/parse.js'
import type { Loaded } from '../config/serve-types.js'
import type { NginxSyncConfig } from '../nginx/config.js'
import { parseNodesFile, parseNodesFlag, type SyncNode } from '../nginx/nodes.js'
import { nginxSyncOptions } from './nginx-sync-options.js'

const NGINX_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** Flags + env (+ the nodes file) -> validated, frozen NginxSyncConfig. Throws ConfigError listing every problem. */
export function loadNginxSyncConfig (argv: readonly string[], env: Env,
  readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): Loaded<NginxSyncConfig> {
  const parsed = parseOptions(nginxSyncOptions, argv, env, readFile)
  const { values: v, problems } = parsed
  const nodesText = v['nodes']
  const nodesFile = v['nodes-file']
  let nodes: SyncNode[] = []
  let nodesSource = ''
  if (nodesText !== undefined && nodesFile !== undefined) problems.push('--nodes and --nodes-file are both set; use one')
  else if (nodesText !== undefined) {
    nodesSource = '--nodes'
    const r = parseNodesFlag(nodesText, '--nodes')
    nodes = r.nodes
    problems.push(...r.problems)
  } else if (nodesFile !== undefined) {
    nodesSource = nodesFile
    let text: string | undefined
    try { text = readFile(nodesFile) } catch (err) { problems.push(`--nodes-file: cannot read ${nodesFile} (${errnoCode(err)})`) }
    if (text !== undefined) {
      const r = parseNodesFile(text, nodesFile)
      nodes = r.nodes
      problems.push(...r.problems)
      if (r.nodes.length === 0 && r.problems.length === 0) problems.push(`--nodes-file: ${nodesFile} lists no nodes`)
    }
  } else if (!parsed.invalid.has('nodes') && !parsed.invalid.has('nodes-file')) {
    problems.push('no nodes: set --nodes-file (SIDECAR_NODES_FILE) or --nodes (SIDECAR_NODES)')
  }
  if (nodesText !== undefined && nodes.length === 0 && problems.length === 0) problems.push('--nodes lists no nodes')

  const output = v['output']
  const njsState = v['njs-state']
  let balance = v['balance']
  const modeRefused = parsed.invalid.has('output') || parsed.invalid.has('njs-state')
  if (output !== undefined && njsState !== undefined) {
    problems.push('--output and --njs-state are both set; use one (reload mode or njs mode)')
  } else if (output === undefined && njsState === undefined && !modeRefused) {
    problems.push('no --output (SIDECAR_OUTPUT): the upstream file nginx includes, or --njs-state (SIDECAR_NJS_STATE) for nginx with njs')
  }
  for (const [flag, path] of [['--output', output], ['--njs-state', njsState]] as const) {
    if (path?.endsWith('/') === true) problems.push(`${flag}: ${path} is a directory; name the file`)
  }
  if (njsState !== undefined) {
    // njs 0.7 has no memory shared between connections, so no connection counts or rotation.
    if (!parsed.explicit.has('balance')) balance = 'random'
    else if (balance === 'least_conn' || balance === 'round_robin') {
      problems.push(`--balance ${balance} needs nginx's upstream; with --njs-state use random (weighted random) or hash_remote_addr`)
    }
  }
  const upstreamName = v['upstream-name']
  if (!NGINX_NAME.test(upstreamName)) problems.push(`--upstream-name: "${upstreamName}" is not a plain name (letters, digits, _ and -)`)
  const zoneSize = v['zone-size']
  if (!/^\d{1,6}[kKmM]?$/.test(zoneSize)) problems.push(`--zone-size: "${zoneSize}" is not an nginx size (e.g. 64k, 1m)`)
  const availabilityPath = v['availability-path']
  if (!availabilityPath.startsWith('/') || /[?#\s]/.test(availabilityPath)) {
    problems.push(`--availability-path: "${availabilityPath}" must start with / and have no query`)
  }
  const pollIntervalMs = v['poll-interval']
  const probeTimeoutMs = v['probe-timeout']
  if (probeTimeoutMs > pollIntervalMs * 5) {
    problems.push(`--probe-timeout (${probeTimeoutMs}ms) is more than 5 poll intervals; a dead sidecar would stall detection`)
  }
  if (problems.length > 0 && !parsed.actions.help && !parsed.actions.version) throw new ConfigError(problems)

  const config: NginxSyncConfig = Object.freeze({
    nodes: Object.freeze(nodes),
    nodesSource,
    output: output ?? '',
    njsState,
    upstreamName,
    balance,
    zoneSize,
    availabilityPath,
    pollIntervalMs,
    probeTimeoutMs,
    settleMs: v['settle'],
    minReloadIntervalMs: v['min-reload-interval'],
    checkCommand: v['check-command'],
    reloadCommand: v['reload-command'],
    commandTimeoutMs: v['command-timeout'],
    host: v['host'],
    port: v['port'],
    once: v['once'],
    logLevel: v['log-level'],
    logFormat: v['log-format'],
  })
  return { config, parsed }
}
