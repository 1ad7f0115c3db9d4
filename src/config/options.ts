import { serveEvacuationOptions } from './serve-evacuation-options.js'
import { serveListenerOptions } from './serve-listener-options.js'
import { commonOptions, optionTable } from './table.js'

/**
 * serve's option table: one row per setting, with its flag, its SIDECAR_ environment variable, its default
 * and its help. Defaults live in the option tables and nowhere else; the machinery (kinds, typed values,
 * variable names) is table.ts, re-exported here.
 */

/** Options of the sidecar itself (`emqx-lb-sidecar` / `emqx-lb-sidecar serve`): EMQX and polling here, the rest by topic. */
export const serveOptions = optionTable([
  {
    flag: 'emqx-url',
    kind: 'url',
    help: 'base URL of the local EMQX HTTP API (default http://127.0.0.1:18083; http://127.0.0.1:8081 with --emqx-api-version v4)',
  },
  {
    flag: 'emqx-api-version',
    kind: { enum: ['auto', 'v4', 'v5'] },
    default: 'auto',
    help: 'EMQX API generation: auto detects 5.x (port 18083) or 4.4 (port 8081)',
  },
  { flag: 'emqx-username', kind: 'string', help: 'EMQX API key (5.x) or AppID (4.4); only needed where the API requires auth' },
  {
    flag: 'emqx-password',
    kind: 'secret',
    fileVariant: true,
    help: 'EMQX API secret (5.x) or AppSecret (4.4); prefer SIDECAR_EMQX_PASSWORD_FILE',
  },
  { flag: 'emqx-ca-file', kind: 'path', help: 'PEM CA bundle trusted for an https:// EMQX URL (a self-signed API certificate)' },
  { flag: 'emqx-timeout', kind: 'duration', default: '1s', min: 10, help: 'hard timeout of one EMQX request (connect + answer)' },
  { flag: 'poll-interval', kind: 'duration', default: '1s', min: 50, help: 'how often EMQX is asked; probes are answered from memory' },
  {
    flag: 'failure-threshold',
    kind: 'int',
    default: '3',
    min: 1,
    max: 1000,
    help: 'consecutive failed checks before the state becomes down (EMQX 503 drains at once)',
  },
  ...serveListenerOptions,
  ...serveEvacuationOptions,
  ...commonOptions,
])
