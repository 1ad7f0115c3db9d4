import { optionTable } from './table.js'

/**
 * The agent-check admin words a drain may be answered with (src/agent/words.ts): HAProxy's MAINT ignores
 * stick-table entries, its DRAIN honours them (haproxy/README.md, "Stickiness and drains").
 */
export const AGENT_DRAIN_WORDS = ['maint', 'drain'] as const

/** serve's listeners: the HTTP listener and its limits, the agent-check and admin listeners, shutdown and the drain file. */
export const serveListenerOptions = optionTable([
  { flag: 'host', kind: 'address', default: '0.0.0.0', help: 'address of the HTTP listener' },
  { flag: 'port', kind: 'port', default: '9183', help: 'port of the HTTP listener (probes, /status, /metrics)' },
  // Limits of the HTTP listener against hostile or broken clients (../docs/failure-modes.md, "Hostile clients").
  // A probe is one short request line and a few headers; these leave a wide margin and still bound memory.
  {
    flag: 'http-max-header-size',
    kind: 'int',
    default: '8192',
    min: 1024,
    max: 65536,
    help: 'largest request line + headers in bytes the HTTP listener accepts (larger: 431)',
  },
  {
    flag: 'http-headers-timeout',
    kind: 'duration',
    default: '5s',
    min: 100,
    help: 'time a connection has to deliver a complete request head, from connecting (slowloris and idle-connection guard)',
  },
  {
    flag: 'http-request-timeout',
    kind: 'duration',
    default: '10s',
    min: 100,
    help: 'time a client has to send its whole request, and that a connection whose answer waits for the client may stay silent',
  },
  {
    flag: 'http-keep-alive-timeout',
    kind: 'duration',
    default: '5s',
    min: 0,
    help: 'how long an idle keep-alive connection is kept between requests',
  },
  {
    flag: 'http-max-connections',
    kind: 'int',
    default: '2048',
    min: 1,
    max: 100000,
    help: 'open connections the HTTP listener accepts at once; more are closed at once and counted',
  },
  {
    flag: 'events-max-clients',
    kind: 'int',
    default: '32',
    min: 1,
    max: 10000,
    help: 'GET /events streams (the live page /ui) open at once; more get 503',
  },
  {
    flag: 'listen-backlog',
    kind: 'int',
    default: '4096',
    min: 1,
    max: 65535,
    help: 'accept queue asked of the kernel for the HTTP, agent-check and admin listeners (capped by net.core.somaxconn): room for a ' +
      'fleet of checkers connecting at once',
  },
  {
    flag: 'agent-port',
    kind: 'port',
    default: '9184',
    help: 'port of the HAProxy agent-check listener (one line per connection: up ready / up maint / down); 0 disables it',
  },
  { flag: 'agent-host', kind: 'address', help: 'address of the agent-check listener (default: the --host value)' },
  {
    flag: 'agent-drain-word',
    kind: { enum: AGENT_DRAIN_WORDS },
    default: 'maint',
    help: 'agent-check word for a node that must get no new clients (draining, stopping): maint also moves the clients a stick ' +
      'table remembers (HAProxy sends them to a DRAIN server); drain keeps the server UP in HAProxy (logged as notice, not alert) ' +
      'and never cuts connections, even with on-marked-down shutdown-sessions (haproxy/README.md)',
  },
  {
    flag: 'agent-max-connections',
    kind: 'int',
    default: '512',
    min: 1,
    max: 100000,
    help: 'open connections the agent-check listener accepts at once; more are closed at once and counted',
  },
  {
    flag: 'agent-ramp',
    kind: 'duration',
    default: '0s',
    min: 0,
    help: 'a gentle return: after the node turns up (from starting, down or a drain) the agent answers a weight rising from 10% to ' +
      '100% over this long (`up ready 10%` ...), of the server\'s HAProxy weight; 0 disables (no weight sent)',
  },
  {
    flag: 'shutdown-delay',
    kind: 'duration',
    default: '5s',
    min: 0,
    help: 'on SIGTERM, answer 503 (stopping; agent: the drain word) this long before closing, so load balancers notice',
  },
  {
    flag: 'drain-file',
    kind: 'path',
    help: 'drain (503, agent maint/drain) while this file exists, whatever EMQX says; checked every poll interval; survives restarts',
  },
  {
    flag: 'admin-token',
    kind: 'secret',
    fileVariant: true,
    help: 'bearer token (16+ characters) that enables /admin/drain, /admin/undrain, /admin/evacuate and /prestop; without it they do ' +
      'not exist',
  },
  { flag: 'admin-port', kind: 'port', help: 'serve the admin endpoints on this separate port only (not on --port)' },
  { flag: 'admin-host', kind: 'address', default: '127.0.0.1', help: 'address of the separate admin listener (with --admin-port)' },
])
