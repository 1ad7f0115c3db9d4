/**
 * The live page's style sheet (GET /ui), inline: the page loads nothing. Colours in HAProxy's sense:
 * serving green, draining blue, down red; starting amber, stopping grey.
 */
export const UI_STYLE = String.raw`
:root { --up: #1f8a3b; --draining: #1f6fd1; --down: #c93030; --starting: #b8860b; --stopping: #5e6275;
  --bg: #f4f5f7; --card: #fff; --ink: #1d2129; --mute: #667085; --line: #e3e6eb; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
#banner { display: contents; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 18px; padding: 18px 24px; color: #fff; background: var(--mute); }
html[data-state="up"] header { background: var(--up); }
html[data-state="draining"] header { background: var(--draining); }
html[data-state="down"] header { background: var(--down); }
html[data-state="starting"] header { background: var(--starting); }
html[data-state="stopping"] header { background: var(--stopping); }
#state { font-size: 40px; font-weight: 700; letter-spacing: .02em; text-transform: uppercase; min-width: 220px; }
.what { flex: 1 1 420px; }
#reason { font-weight: 600; font-size: 16px; }
#message { opacity: .95; }
#since { opacity: .85; font-size: 13px; }
.meta, #node { text-align: right; font-size: 13px; }
#detail { font-size: 13px; opacity: .9; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.stream { display: inline-block; padding: 2px 10px; border-radius: 999px; background: rgba(255,255,255,.22); font-weight: 600; }
html[data-stream="disconnected"] .stream { background: #fff; color: var(--down); }
html[data-stream="still"] .stream { background: rgba(0,0,0,.18); }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(440px, 100%), 1fr)); gap: 16px; padding: 16px 24px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
.scroll { overflow-x: auto; }
h2 { margin: 0 0 8px; font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--mute); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px 4px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--mute); font-weight: 600; white-space: nowrap; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.ua { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; overflow-wrap: break-word; }
.pill { display: inline-block; align-self: start; min-width: 74px; text-align: center; padding: 1px 8px; border-radius: 4px; color: #fff;
  font-size: 12px; font-weight: 600; background: var(--mute); }
.s-up { background: var(--up); } .s-draining { background: var(--draining); } .s-down { background: var(--down); }
.s-starting { background: var(--starting); } .s-stopping { background: var(--stopping); }
.a-200 { color: var(--up); font-weight: 600; } .a-503 { color: var(--draining); font-weight: 600; }
.yes { color: var(--up); font-weight: 600; } .no { color: var(--mute); }
ol#timeline { list-style: none; margin: 0; padding: 0; max-height: 360px; overflow: auto; }
ol#timeline li { display: grid; grid-template-columns: 76px 90px 1fr; gap: 8px; padding: 4px 0; border-bottom: 1px solid var(--line); }
ol#timeline time { font-variant-numeric: tabular-nums; color: var(--mute); }
ol#timeline .cause { font-weight: 600; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 0; font-size: 13px; }
dt { color: var(--mute); } dd { margin: 0; word-break: break-word; }
.metric { display: grid; grid-template-columns: 120px 1fr 170px; align-items: center; gap: 8px; padding: 4px 0;
  border-bottom: 1px solid var(--line); }
.metric .k { color: var(--mute); }
.metric .v { font-variant-numeric: tabular-nums; font-weight: 600; }
svg.spark { width: 170px; height: 34px; }
svg.spark polyline { fill: none; stroke: var(--draining); stroke-width: 1.6; }
svg.spark .area { fill: rgba(31,111,209,.12); stroke: none; }
svg.spark .base { stroke: var(--line); }
.note { color: var(--mute); font-size: 12px; }
.ack { margin-bottom: 8px; font-weight: 600; }
.ack.done { color: var(--up); } .ack.wait { color: var(--draining); }
footer { padding: 0 24px 20px; color: var(--mute); font-size: 12px; }
footer a { color: inherit; }
`
