import { commonOptions, optionTable } from '../config/table.js'
import { BALANCES } from '../nginx/config.js'

/**
 * Options of `emqx-lb-sidecar nginx-sync`: one process beside nginx (not one per node) that polls every
 * node's sidecar and rewrites an included upstream file. Same table style and SIDECAR_ variables as serve.
 */
export const nginxSyncOptions = optionTable([
  {
    flag: 'nodes',
    kind: 'string',
    help: 'the nodes, comma separated: "<mqtt host:port> <sidecar URL> [weight=N ...]" each (or use --nodes-file)',
  },
  {
    flag: 'nodes-file',
    kind: 'path',
    help: 'file with one node per line: "<mqtt host:port> <sidecar URL> [weight=N] [max_fails=N] [fail_timeout=10s] [max_conns=N]"; # ' +
      'starts a comment',
  },
  {
    flag: 'output',
    kind: 'path',
    help: 'the upstream file to write (included from the stream {} block); written atomically (tmp file + rename in the same directory)',
  },
  {
    flag: 'njs-state',
    kind: 'path',
    help: 'reload-free mode for nginx with njs: write every node\'s availability as JSON to this file every poll (atomically, mode ' +
      '0644) for nginx/njs/emqx-lb.js; no upstream file, no check or reload command. Use instead of --output',
  },
  { flag: 'upstream-name', kind: 'string', default: 'emqx_mqtt', help: 'name of the rendered upstream block (what proxy_pass refers to)' },
  {
    flag: 'balance',
    kind: { enum: BALANCES },
    default: 'least_conn',
    help: 'balancing method of the upstream: least_conn, round_robin, hash_remote_addr (hash $remote_addr consistent), random (random ' +
      'two least_conn). With --njs-state: hash_remote_addr, or random (weighted random, the default there)',
  },
  {
    flag: 'zone-size',
    kind: 'string',
    default: '64k',
    help: 'size of the upstream\'s shared memory zone (shares least_conn counts between workers)',
  },
  {
    flag: 'availability-path',
    kind: 'string',
    default: '/availability',
    help: 'path asked on each sidecar URL; 200 keeps the node in, anything else (or no answer) marks it down',
  },
  { flag: 'poll-interval', kind: 'duration', default: '1s', min: 50, help: 'how often every sidecar is asked' },
  {
    flag: 'probe-timeout',
    kind: 'duration',
    default: '1s',
    min: 10,
    help: 'hard timeout of one sidecar request (connect + answer); a timeout marks the node down',
  },
  {
    flag: 'settle',
    kind: 'duration',
    default: '1s',
    min: 0,
    help: 'a new upstream must stay the same this long before it is applied (a flapping node causes no reloads)',
  },
  {
    flag: 'min-reload-interval',
    kind: 'duration',
    default: '5s',
    min: 0,
    help: 'at least this long between two reloads (or failed attempts), whatever happens',
  },
  {
    flag: 'check-command',
    kind: 'string',
    default: 'nginx -t -q',
    help: 'shell command that validates nginx\'s configuration after the file is written; on failure the old file is restored',
  },
  {
    flag: 'reload-command',
    kind: 'string',
    default: 'nginx -s reload',
    help: 'shell command that makes nginx load the new file (old workers keep their connections)',
  },
  {
    flag: 'command-timeout',
    kind: 'duration',
    default: '10s',
    min: 100,
    help: 'a check or reload command running longer is killed and counts as failed',
  },
  { flag: 'host', kind: 'address', default: '0.0.0.0', help: 'address of the HTTP listener (/metrics, /livez, /status)' },
  {
    flag: 'port',
    kind: 'port',
    default: '9186',
    help: 'port of the HTTP listener (clear of the sidecar\'s 9183, its agent-check 9184 and the admin port 9185 the manifests use)',
  },
  {
    flag: 'once',
    kind: 'bool',
    default: 'false',
    help: 'poll once, apply the result (no settle), exit 0 if nginx has the result, 1 otherwise (for cron or a first run)',
  },
  ...commonOptions,
])
