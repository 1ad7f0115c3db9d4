import type { SimAction } from '../emqx-double/control.js'

/** Keyboard keys of `simulate` (and the demo): one key per control action. */
export const KEYS: Readonly<Record<string, SimAction>> = {
  e: 'evacuate',
  d: 'donor',
  p: 'purge',
  r: 'restore',
  s: 'stop-emqx',
  a: 'start-emqx',
  c: 'cut-off',
  j: 'rejoin',
}

export const KEY_HELP = 'keys: e evacuate, d rebalance donor, p purge, r restore (end process, clear fault), ' +
  's stop EMQX, a start EMQX, c cut off from the cluster, j rejoin it, q quit'

/**
 * Calls onKey for every key typed. A terminal is put in raw mode (no Enter needed; Ctrl-C arrives as a
 * key and means quit); piped input is read as it comes, so scripts and tests can drive it line by line.
 * Returns a function that restores the terminal.
 */
export function listenToKeys (input: NodeJS.ReadStream, onKey: (key: string) => void): () => void {
  const tty = input.isTTY === true
  if (tty) input.setRawMode(true)
  input.setEncoding('utf8')
  const onData = (chunk: string): void => {
    for (const ch of chunk) {
      if (ch === '\u0003' || ch === '\u0004') onKey('q')
      else if (ch.trim() !== '') onKey(ch.toLowerCase())
    }
  }
  input.on('data', onData)
  input.resume()
  return () => {
    input.off('data', onData)
    if (tty) input.setRawMode(false)
    input.pause()
  }
}
