import { createHash } from 'node:crypto'
import type { NodeState } from '../../state/model.js'
import { UI_SCRIPT_LIB } from './ui-script-lib.js'
import { UI_SCRIPT_LIVE } from './ui-script-live.js'
import { UI_SCRIPT_PANELS } from './ui-script-panels.js'
import { UI_STYLE } from './ui-style.js'

/**
 * GET /ui: one self-contained, read-only page (inline style, script and SVG; no request but /events to its
 * own origin), built once at load. Only the root element's `data-state` is filled in per request, so
 * scripts and tests can read the served state from the page without running it; the script keeps it current.
 */
const SCRIPT = `(function () {\n'use strict'\n${UI_SCRIPT_LIB}${UI_SCRIPT_PANELS}${UI_SCRIPT_LIVE}})()\n`

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

/** The page may run its own script and style (by hash), connect to its own origin, and nothing else. */
export const UI_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(UI_STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const BODY = `<body>
<header>
  <div id="state">starting</div>
  <div class="what"><div id="reason"></div><div id="message">waiting for the first event from /events</div><div id="since"></div></div>
  <div class="meta"><span id="stream" class="stream">connecting</span><div id="node"></div></div>
</header>
<main>
  <section class="wide"><h2>Load-balancer checkers</h2><div id="ack" class="ack"></div>
    <div class="scroll"><table><thead><tr><th>kind</th><th>identity</th><th>interval</th><th>last answer</th><th>last seen</th>
      <th>drain answers</th><th>told</th><th>budget</th></tr></thead><tbody id="checkers-body"></tbody></table></div></section>
  <section><h2>Timeline</h2><ol id="timeline"></ol></section>
  <section><h2>EMQX and sidecar</h2><dl id="about"></dl></section>
  <section id="progress-section" class="wide" hidden><h2>Evacuation / rebalance on this node</h2><div id="progress"></div></section>
  <section id="evidence-section" hidden><h2>Drain evidence</h2><dl id="evidence"></dl></section>
  <section id="cluster-section" hidden><h2>Cluster</h2><div id="cluster"></div></section>
</main>
<footer>emqx-lb-sidecar <span id="version"></span> \u00b7 read-only \u00b7 live from /events \u00b7 the same data as
  <a href="/status">/status</a></footer>
<script>${SCRIPT}</script>
</body>
</html>
`

const HEAD = `">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>emqx-lb-sidecar</title>
<style>${UI_STYLE}</style>
</head>
`

const BEFORE_STATE = '<!doctype html>\n<html lang="en" data-stream="connecting" data-state="'
const AFTER_STATE = HEAD + BODY

/** The page with the served state on its root element (`data-state`). */
export function uiPage (state: NodeState): string {
  return BEFORE_STATE + state + AFTER_STATE
}

/** The page's largest size in bytes (the longest state name), for the size guard. */
export const UI_PAGE_MAX_BYTES = Buffer.byteLength(uiPage('starting'))
