import t from 'tap'
import { once } from 'node:events'
import { rmSync, writeFileSync } from 'node:fs'
import { createServer, connect, type Server } from 'node:net'
import { requireBinary } from '../support/components.js'
import { freePort } from '../../src/demo/free-port.js'
import { prepareNginx, requireNjs, startNginx } from '../support/nginx-server.js'

/**
 * nginx/njs/emqx-lb.js inside real nginx + njs (the shipped nginx-njs.conf and emqx-stream-njs.conf),
 * with raw TCP backends that count who connected, and state files written by hand: every rule of the
 * module, including the fail-open paths and their error-log lines. test/e2e/nginx-njs.test.ts runs
 * the whole chain (EMQX doubles, sidecars, nginx-sync, mosquitto, MQTT clients).
 */
t.test('njs picks nodes from the state file: weights, drains, hash, fail-open on none / stale / missing / garbage', async (t) => {
  const nginx = requireBinary(t, 'nginx', 'nginx libnginx-mod-stream libnginx-mod-stream-js')
  if (nginx === undefined || requireBinary(t, 'openssl', 'openssl') === undefined || !requireNjs(t)) return
  const hits = new Map<number, number>()
  const servers: Server[] = []
  const ports: number[] = []
  for (let i = 0; i < 4; i++) {
    const s = createServer((sock) => { const p = (sock.address() as { port: number }).port; hits.set(p, (hits.get(p) ?? 0) + 1); sock.end() })
    s.listen(0, '127.0.0.1')
    await once(s, 'listening')
    servers.push(s)
    ports.push((s.address() as { port: number }).port)
  }
  t.teardown(() => { for (const s of servers) s.close() })
  const [a, b, c, fb] = ports.map((p) => `127.0.0.1:${p}`) as [string, string, string, string]
  const tcpPort = await freePort()
  const setup = prepareNginx(t, nginx, { tcpPort, tlsPort: await freePort(), proxyProtocol: false, njsFallback: [fb] })
  const ngx = await startNginx(t, nginx, setup, tcpPort)

  const write = (avail: boolean[], extra: Record<string, unknown> = {}): void => {
    writeFileSync(setup.stateFile, JSON.stringify({
      version: 1,
      writtenAt: Date.now(),
      staleAfterMs: 60_000,
      balance: 'random',
      failsafe: false,
      nodes: [a, b, c].map((address, i) => ({ address, weight: i === 2 ? 3 : 1, available: avail[i] })),
      ...extra
    }))
  }
  /** `count` connections (from 127.0.0.<from>..) through nginx; returns connections per backend name */
  const run = async (count: number, from?: (i: number) => string): Promise<Record<string, number>> => {
    hits.clear()
    for (let i = 0; i < count; i++) {
      const s = connect({ port: tcpPort, host: '127.0.0.1', ...(from !== undefined ? { localAddress: from(i) } : {}) })
      s.on('error', () => undefined)
      await once(s, 'close')
    }
    const named: Record<string, number> = {}
    ;(['a', 'b', 'c', 'fallback'] as const).forEach((n, i) => { const h = hits.get(ports[i] ?? 0); if (h !== undefined) named[n] = h })
    return named
  }
  const errors = (): string[] => ngx.errorLog().split('\n').filter((l) => /\[error\].*emqx-lb:/.test(l))

  write([true, true, true])
  const all = await run(200)
  t.ok((all.c ?? 0) > (all.a ?? 0) && (all.c ?? 0) > (all.b ?? 0) && (all.a ?? 0) > 10 && (all.b ?? 0) > 10, `weight 3 gets the most, every node some (${JSON.stringify(all)})`)
  t.equal(all.fallback, undefined)

  write([true, false, true])
  const drained = await run(100)
  t.equal(drained.b, undefined, `a drained node gets no new connection (${JSON.stringify(drained)})`)
  t.equal((drained.a ?? 0) + (drained.c ?? 0), 100)

  write([false, false, false])
  const none = await run(100)
  t.ok((none.a ?? 0) > 0 && (none.b ?? 0) > 0 && (none.c ?? 0) > 0, `no node available: every node (fail-open) (${JSON.stringify(none)})`)
  t.same(errors(), [], 'no error logged so far')

  // hash_remote_addr: the same client always lands on the same node; a drain moves only that node's clients
  const from = (i: number): string => `127.0.0.${2 + (i % 40)}`
  const landing = async (): Promise<string[]> => {
    const out: string[] = []
    for (let i = 0; i < 40; i++) { const r = await run(1, () => from(i)); out.push(Object.keys(r)[0] ?? '') }
    return out
  }
  write([true, true, true], { balance: 'hash_remote_addr' })
  const h1 = await landing()
  t.same(await landing(), h1, 'hash: every client address lands where it did before')
  t.ok(new Set(h1).size === 3, `hash: spread over all three (${JSON.stringify(h1)})`)
  write([true, false, true], { balance: 'hash_remote_addr' })
  const h2 = await landing()
  t.notOk(h2.includes('b'), 'hash: the drained node gets nobody')
  t.same(h2.filter((n, i) => h1[i] !== 'b' && n !== h1[i]), [], 'hash: clients of the other nodes do not move')

  const writtenAt = Date.now() - 120_000
  write([true, false, false], { writtenAt })
  const stale = await run(60)
  // the line names the age at the time of that connection: 120 s when written, more on a slow machine
  const oldest = Math.round((Date.now() - writtenAt) / 1000)
  t.ok((stale.b ?? 0) > 0 && (stale.c ?? 0) > 0, `stale state: every node (${JSON.stringify(stale)})`)
  const staleLine = errors().at(-1) ?? ''
  t.match(staleLine, /emqx-lb: .*state\.json is stale \(written \d+ s ago, limit 60 s: is nginx-sync running\?\); sending the connection to every node/)
  const age = Number(/written (\d+) s ago/.exec(staleLine)?.[1])
  t.ok(age >= 120 && age <= oldest, `the age named (${age} s) is the state file's: between 120 s and ${oldest} s`)

  writeFileSync(setup.stateFile, '{"version":1,"nodes":[')
  t.same(await run(10), { fallback: 10 }, 'garbage state: the fallback upstream')
  t.match(errors().at(-1), /state\.json is not JSON/)
  writeFileSync(setup.stateFile, JSON.stringify({ version: 1, writtenAt: Date.now(), staleAfterMs: 60_000, nodes: [{ address: a, weight: 0, available: true }] }))
  t.same(await run(5), { fallback: 5 }, 'a state with a bad node: the fallback upstream')
  t.match(errors().at(-1), /node 0 is not \{address, weight, available\}/)
  rmSync(setup.stateFile)
  t.same(await run(10), { fallback: 10 }, 'missing state: the fallback upstream')
  t.match(errors().at(-1), /cannot read .*state\.json \(ENOENT\); sending the connection to every node \(upstream emqx_mqtt_all\)/)
})
