import { optionTable } from '../config/table.js'

/** Options of `emqx-lb-sidecar status`: which sidecar to ask and how to print its answer. */
export const statusOptions = optionTable([
  { flag: 'url', kind: 'url', default: 'http://127.0.0.1:9183', help: 'base URL of a running sidecar (its --port, not EMQX\'s)' },
  { flag: 'json', kind: 'bool', default: 'false', help: 'print the raw /status JSON instead of text' },
  { flag: 'timeout', kind: 'duration', default: '3s', min: 10, help: 'give up after this long' },
])
