import { createHash } from 'node:crypto'
import { escapeHtml, toHtml } from './ui-html.js'
import { UI_SCRIPT } from './ui-script.js'
import { UI_STYLE } from './ui-style.js'
import type { PageView } from './ui-view.js'

/**
 * GET /ui: one self-contained, read-only page (inline style, script and SVG; no request but /events to its
 * own origin), rendered by the server from the same snapshot the probes answer: it reads right at first
 * paint and without JavaScript. The root element's `data-state` is the served state; the script keeps
 * the page current from /events (./ui-script.ts).
 */
const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

/** The page may run its own script and style (by hash), connect to its own origin, and nothing else. */
export const UI_CSP = [
  "default-src 'none'",
  `script-src ${hash(UI_SCRIPT)}`,
  `style-src ${hash(UI_STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const HEAD = `<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<style>${UI_STYLE}</style>
`

/** The page of a view; `still`: one frame, no stream (`/ui?still`). */
export function uiPage (view: PageView, still: boolean): string {
  const stream = still ? 'still' : 'served'
  return `<!doctype html>
<html lang="en" data-stream="${stream}" data-state="${escapeHtml(view.state)}">
<head>
<title>${escapeHtml(view.title)}</title>
${HEAD}</head>
<body>
<header><div id="banner">${view.banner.map(toHtml).join('')}</div>
  <div class="meta"><span id="stream" class="stream">${still ? 'still frame' : 'as served'}</span></div></header>
<main id="panels">
${view.panels.map(toHtml).join('\n')}
</main>
<footer>emqx-lb-sidecar \u00b7 read-only \u00b7 ${still ? 'a still frame: reload for a new one' : 'live from /events'}
  \u00b7 the same data as <a href="/status">/status</a></footer>
<script>${UI_SCRIPT}</script>
</body>
</html>
`
}
