/**
 * Renders docs/failure-modes.md from the fault matrix and the option table, so the document says
 * exactly what the tests prove and the defaults that ship. Regenerate: `npm run docs:failure-modes`.
 */
import { serveOptions } from '../../src/config/options.js'
import { envName } from '../../src/config/table.js'
import { MAX_PIPELINED } from '../../src/http/listeners/fast-path.js'
import { FAULT_MATRIX, MATRIX_SETTINGS, type FaultScenario } from './fault-matrix.js'

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``

function answer (s: FaultScenario): string {
  return s.failure === undefined ? '200 `up` (EMQX\'s own 503 still drains)' : `503 \`down\`, reason \`emqx_${s.failure.reason}\``
}

function when (s: FaultScenario): string {
  if (s.failure === undefined) return 'never: no check fails'
  const from = s.upstream === 'unresolvable' || s.simFault === undefined ? '`starting` until' : '200 until'
  const each = s.slow === true ? 'each waiting `--emqx-timeout`' : 'each failing at once'
  const n: number = MATRIX_SETTINGS.failureThreshold
  return `${from} the ${n}${n === 1 ? 'st' : n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'} failed check in a row (\`--failure-threshold\`), ${each}`
}

function logged (s: FaultScenario): string {
  const f = s.failure
  if (f === undefined) return 'nothing at warn or above'
  const down = f.reason === 'auth' ? 'configuration error: ' : 'node is down: '
  const keyed = f.reason === 'auth' && s.path === undefined
    ? `; error ${code('configuration error: EMQX answered …')} (\`emqx_key_refused\`) at most once per other read that sends the key (the CONNECT counter, \`global_status\`), and info \`emqx_key_accepted\` once when it is answered again`
    : ''
  return `${f.level}: ${code(`EMQX check failed (${f.detail}); keeping state …`)} at the 1st failure; ${f.level}: ${code(`${down}${f.detail} (${MATRIX_SETTINGS.failureThreshold} failed checks in a row)`)} at the change${keyed}; nothing per poll`
}

function recovery (s: FaultScenario): string {
  if (s.failure === undefined) return '-'
  if (s.recovery !== undefined) return s.recovery
  return s.lastsMs !== undefined ? 'by itself: 200 `up` on the first answer after the restart; info `node is up` once' : 'first usable answer: 200 `up`; info `node is up` once'
}

function faultTable (): string[] {
  const head = ['Fault', 'Produced in the test by', 'Probe answer', 'When it changes', 'Logged (once)', '`emqx_check_failures_total{reason}`', 'Recovery']
  const rows = FAULT_MATRIX.map((s) => [s.fault, s.produced, answer(s), when(s), logged(s), s.failure === undefined ? '-' : code(s.failure.reason), recovery(s)])
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)]
}

function limitsTable (): string[] {
  const rows = serveOptions.filter((o) => o.flag.startsWith('http-') || o.flag === 'agent-max-connections' || o.flag === 'listen-backlog')
  return ['| Flag / environment | Default | Meaning |', '|---|---|---|',
    ...rows.map((o) => `| \`--${o.flag}\` / \`${envName(o.flag)}\` | ${o.default !== undefined ? code(o.default) : '-'} | ${cell(o.help)} |`)]
}

/** EMQX's CONNECT counter (docs/graceful-shutdown.md#arrival-evidence): where it cannot judge, and what is done then. */
const ARRIVAL_CASES: ReadonlyArray<readonly [string, string, string, string]> = [
  [
    'Counter unreadable: EMQX 4.4 without credentials (no source), e5.4+ with `prometheus.enable_basic_auth` and no API key, ' +
      'an error, timeout or garbage on the read, a Prometheus answer with one sample per node (cluster mode), no reading for 3 polls + 1 s',
    '`no_counter`: no evidence, never "no arrivals"; an acknowledged evacuation ends on told + grace, as without the counter; ' +
      'probes, availability and the drain are unaffected (the counter is never part of a probe answer)',
    '`connect_evidence_readable` 0, `/status` `drain_evidence.error`; the wait\'s end logs `(no arrival evidence: CONNECT counter not readable)`; ' +
      'alert `EmqxConnectCounterUnreadable` after a minute of drain',
    '`test/reliability/arrival-evidence.test.ts` (5xx on both 5.x sources: asked 1-2 s after the request while CONNECTs arrive unseen), ' +
      '`test/emqx/connects.test.ts` (answers that are no evidence)',
  ],
  [
    'A read fails after a source answered',
    'the source is kept (sticky, like the API detection): its failures are `no_counter` until it answers again; no switch to another source',
    'as above',
    'not run by a test (`src/emqx/connects.ts`)',
  ],
  [
    'No traffic: usual rate 0, or not known yet (less than 3 s of readings since start, or since EMQX restarted), and no CONNECT since ' +
      'the drain began',
    '`too_little_traffic`: a quiet spell proves nothing; told + grace (a CONNECT during the drain makes it `arriving`: presence is evidence)',
    '`drain_evidence.usual_rate_per_second` 0 or null; the wait\'s end logs `(no arrival evidence: too little traffic to judge)`',
    '`test/reliability/arrival-evidence.test.ts`, `test/ack/evidence.test.ts`, `test/ack/arrival-watch.test.ts`',
  ],
  [
    'Little traffic (e.g. 0.1 CONNECT/s)',
    'the quiet window is 5 / usual rate (50 s), never past `--wait-health-check`: arrivals to the maximum end it as `max_reached`',
    'warn `evacuation_ack_arrivals_went_on`',
    '`test/ack/evidence.test.ts`',
  ],
  [
    'EMQX restarted (the counter went back)',
    'the usual rate starts over; a drain counts from the new value; no negative arrivals',
    '-',
    'not run by a test (`src/ack/arrivals.ts`)',
  ],
  [
    'CONNECTs after eviction began',
    'counted as `phase="evicting"`; nothing changes for EMQX (it refuses them)',
    'warn `connects_while_evicting` once per drain; alert `EmqxConnectsWhileEvicting`',
    '`test/reliability/arrival-evidence.test.ts` (counted apart, warned once), `test/deploy/arrival-alerts.test.ts` (the alert)',
  ],
]

function arrivalSection (): string[] {
  return [
    '## EMQX\'s CONNECT counter',
    '',
    'An acknowledged evacuation waits, once every checker is told and the grace has passed, until EMQX\'s own `client.connect`',
    'counter shows no CONNECT for the quiet window ([arrival evidence](graceful-shutdown.md#arrival-evidence)). Where the counter',
    'cannot judge, the wait is what it was without it, told + grace; it is never shortened by a missing reading.',
    '',
    '| Case | What the sidecar does | Seen as | Proven by |',
    '|---|---|---|---|',
    ...ARRIVAL_CASES.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ]
}

export function renderFailureModes (): string {
  const { pollInterval, emqxTimeout, otherTimeout, failureThreshold } = MATRIX_SETTINGS
  return [
    '# Failure modes',
    '',
    '<!-- Generated from test/reliability/fault-matrix.ts and src/config/options.ts by `npm run docs:failure-modes`.',
    '     test/reliability/failure-modes-doc.test.ts fails when this file differs: edit the sources, not this file. -->',
    '',
    'A health check that lies, hangs or crashes takes a whole cluster out of a load balancer. This page lists what the',
    'sidecar does when the EMQX API misbehaves, when clients of its own port misbehave, and how secrets are kept out of',
    'sight. Every row is run by the test suite against the built sidecar process.',
    '',
    '## Rules',
    '',
    '- Probes are answered from memory: no probe waits for EMQX. The tests measure probe latency during every fault',
    '  (figures are printed by `test/reliability/fault-matrix.test.ts`; sub-millisecond medians on an idle machine).',
    '- Probes read the store\'s current snapshot, a property read on the thread that owns it: a probe never answers',
    '  from a copy that could lag behind a drain. A reader of the store\'s events that throws is logged',
    '  (`store_listener_failed`) and never stops the others (docs/architecture.md).',
    '- EMQX\'s own 503 (`NODE_EVACUATING`, or `{}` on 4.4) drains at once: it is an answer, not a failure.',
    '- A failed check keeps the last state until `--failure-threshold` checks in a row failed, then the state is `down`',
    '  (503; the reason says why). The first usable answer ends it.',
    '- Each check has one hard deadline, `--emqx-timeout`, for connect, headers and body together. Bodies are capped at',
    '  64 KiB (a larger declared length is refused before reading). Redirects are never followed.',
    '- A reset on a kept-alive connection (EMQX restarted or closed it) is retried once on a fresh connection within the',
    '  same deadline, so a stale connection is not reported as a broken EMQX.',
    '- Logs change only when the state or the failure reason changes: a fault logs twice (its first failure and the state',
    '  change) and its end once, whatever it lasts. Every failed check is counted in',
    '  `emqx_lb_sidecar_emqx_check_failures_total{reason}`; `emqx_lb_sidecar_emqx_consecutive_failures` shows the streak.',
    '- Detection is sticky and fails closed: once the rebalance API was found, timeouts, resets, garbage and 5xx are',
    '  failures under these rules and never change the API generation or mode. A detection candidate that times out,',
    '  resets or answers garbage is unknown, not absent. The up/down-only fallback for open-source EMQX is taken only on',
    '  clean evidence seen twice in a row (a 404 on the rebalance API while the node status endpoint names the node, or',
    '  nothing listening on a candidate port), logged as a warning with that evidence, and re-examined every 60 s. A 404',
    '  on every path (node status included) proves nothing and stays a failure. See docs/emqx-compatibility.md.',
    '- In rebalance mode the node status endpoint is also read every 5th check, beside the check so it never delays it:',
    '  EMQX\'s own `emqx is not_running` (503) means `down` at once; any other answer from it, a failure included, changes',
    '  nothing (partial-fault rows below).',
    '',
    '## Upstream faults',
    '',
    `Run with \`--poll-interval ${pollInterval} --failure-threshold ${failureThreshold}\` and \`--emqx-timeout ${emqxTimeout}\` in the rows that time out`,
    `(\`${otherTimeout}\` in the others, so a loaded machine cannot turn a reset or a slow answer into a timeout) against the EMQX`,
    'double playing EMQX 5.3 (Basic auth on every request); timeouts in messages follow `--emqx-timeout`. A partial fault hits one path',
    'only; the others answer normally.',
    '',
    '"Logged (once)" means once per run of failed checks: the failure line comes again only after a check succeeded in',
    'between (on a loaded machine a healthy check can time out on its own before the fault). At `--log-level trace` every',
    'check logs one line, `EMQX check: <outcome>`, which shows those successes; the fault-matrix test reads them to find',
    'where the run that took the node down began.',
    '',
    ...faultTable(),
    '',
    ...arrivalSection(),
    '',
    '## Hostile clients',
    '',
    'The HTTP listener (and the separate admin listener, with `--admin-port`) and the agent-check port are exposed to',
    'every load balancer and often to more. Their limits (defaults are safe for probes, which send one short request',
    'line and a few headers, or nothing at all on the agent port):',
    '',
    ...limitsTable(),
    '',
    'What `test/http/listeners/hostile.test.ts` proves against the sidecar process, with probes running throughout and answering',
    'correctly: an oversized header or URL gets 431 and the connection closes; malformed HTTP and unknown methods get',
    '400; unknown paths get a JSON 404; a slowloris client sending its headers a byte at a time is cut off after',
    '`--http-headers-timeout`, and so are idle connections that never send a byte (node itself would keep them);',
    'connections over `--http-max-connections` are closed at once, logged once and counted in',
    `\`emqx_lb_sidecar_connections_dropped_total\`; a client pipelining more than ${MAX_PIPELINED} requests to any path but a probe's`,
    '(`/metrics`, `/status`, ...) on one connection before their answers are done has that connection closed',
    '(node would otherwise render every one of them and buffer the answers for a client that may never read them;',
    'probes are answered at once and not limited); a flood of connections opened and closed leaves the file descriptor',
    'count where it was and memory bounded. And `test/http/listeners/fast-path.test.ts`: a probe connection whose',
    'client stops reading its answers (each request complete, so node\'s own timeouts have nothing to time out) is',
    'closed after `--http-request-timeout`, and so is one that floods requests node answers itself (417) and reads nothing.',
    '',
    'On the agent-check port (`test/agent/hostile.test.ts`): whatever a client sends (nothing, an HTTP request, binary',
    'junk, 1 MiB without a newline) it gets the one line for the current state and a FIN; 2000 connections in a burst',
    'all get the right answer; peers that never hang up are let go after the idle timeout; connections over',
    '`--agent-max-connections` are closed at once, logged once and counted (`protocol="agent"`).',
    '',
    '### Connection storms',
    '',
    'Checkers that connect all at once (a fleet of load balancers restarting, 1,000 health checks a second with a',
    'new connection each) fill the listener\'s accept queue before the event loop takes the connections. When the',
    'queue is full, Linux drops the SYN and the client retransmits it after 1 s and then 3 s: the probe is late by',
    'seconds, not refused. node\'s default backlog is 511; the sidecar asks for `--listen-backlog` (default 4096) on',
    'every listener. The kernel silently caps any backlog at `net.core.somaxconn` (4096 since Linux 5.4, 128 before);',
    'the sidecar reads `/proc/sys/net/core/somaxconn` at start and logs `listen_backlog_capped` when the setting is',
    'above it. Half-open connections (SYN received, handshake not finished) queue separately, bounded by',
    '`net.ipv4.tcp_max_syn_backlog`; with SYN cookies on (the default) that queue overflowing costs TCP options, not',
    'connections. On an old kernel or a small host default, raise both to at least the backlog on the host, or per pod (both are',
    'per network namespace; Kubernetes sets them through `securityContext.sysctls` once the kubelet allows them):',
    '',
    '```sh',
    'sysctl -w net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096',
    '```',
    '',
    '`ss -ltn` shows the granted backlog of a listening socket in its `Send-Q` column. `bench/results.md` measures',
    '1,000 simultaneous new connections against the sidecar, a bare node:http server and nginx.',
    '',
    '## Secrets',
    '',
    'The EMQX API secret (`--emqx-password` / `SIDECAR_EMQX_PASSWORD` / `SIDECAR_EMQX_PASSWORD_FILE`) and the admin token',
    '(`SIDECAR_ADMIN_TOKEN[_FILE]`) are held as values that print as `[REDACTED]`. `test/security/secrets.test.ts` captures',
    'every log line at `trace` level during auth failures, TLS errors, timeouts, resets, redirects and refused or accepted',
    'admin calls and asserts that neither secret (nor the Basic header made from the EMQX one) appears',
    'in logs, `/status`, `/metrics`, error messages or `--check-config`; that a `_FILE` secret is read once at start (clear',
    'error when unreadable or empty); and that a redirect never carries credentials to another host (the sidecar does not',
    'follow redirects at all).',
    '',
    '## Soak',
    '',
    '`test/reliability/soak.test.ts` runs a CI-sized soak (12 s): 16 keep-alive probe connections back to back while',
    'EMQX drains, evacuates, answers 5xx, hangs, refuses, resets, drips and sends huge bodies in turn (one step every',
    '400 ms); it asserts zero failed probes, only 200/503 answers, that the file descriptors and active handles of the',
    'sidecar process return to their baseline, and reports the RSS slope. `npm run soak` runs the same for minutes',
    '(`SOAK_SECONDS`, default 300) and also bounds the RSS slope (< 2 MiB/min over the second half).',
    '',
  ].join('\n')
}
