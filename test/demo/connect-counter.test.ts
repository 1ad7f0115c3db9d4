import t, { type Test } from 'tap'
import { once } from 'node:events'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { ConnectCounter } from '../../src/demo/connect-counter.js'

/** A broker stand-in that echoes every byte back. */
async function echoServer (t: Test): Promise<number> {
  const sockets = new Set<Socket>()
  const s = createServer((c) => { sockets.add(c); c.on('close', () => sockets.delete(c)); c.pipe(c) })
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  t.teardown(async () => { for (const c of sockets) c.destroy(); await new Promise((resolve) => s.close(resolve)) })
  return (s.address() as AddressInfo).port
}

async function exchange (port: number, bytes: Buffer): Promise<Buffer> {
  const c = connect(port, '127.0.0.1')
  await once(c, 'connect')
  const chunks: Buffer[] = []
  c.on('data', (d: Buffer) => chunks.push(d))
  c.write(bytes)
  while (Buffer.concat(chunks).length < bytes.length) await once(c, 'data')
  c.destroy()
  return Buffer.concat(chunks)
}

// an MQTT 3.1.1 CONNECT, client id "c1"
const CONNECT = Buffer.from([0x10, 14, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 2, 0x63, 0x31])
const PINGREQ = Buffer.from([0xc0, 0])

t.test('the hop counts a first packet that is a CONNECT, for its node, and passes every byte unchanged', async (t) => {
  let counted = 0
  const hop = await ConnectCounter.start(await echoServer(t), { connect: (n) => { counted += n } })
  t.teardown(async () => { await hop.stop() })
  t.same(await exchange(hop.port, CONNECT), CONNECT, 'the bytes come back unchanged')
  t.equal(counted, 1, 'one CONNECT counted')
  t.same(await exchange(hop.port, PINGREQ), PINGREQ)
  t.equal(counted, 1, 'a first packet that is not a CONNECT is not counted')
  // a load balancer's TCP check: connects and closes without a byte
  const probe = connect(hop.port, '127.0.0.1')
  await once(probe, 'connect')
  probe.destroy()
  t.same(await exchange(hop.port, Buffer.concat([CONNECT, PINGREQ])), Buffer.concat([CONNECT, PINGREQ]))
  t.equal(counted, 2, 'a TCP check counts nothing; the next CONNECT counts once, whatever follows it')
  t.equal(hop.connects, 2)
  t.ok(hop.lastArrivalAt !== undefined && hop.lastArrivalAt <= Date.now(), 'with the time it passed')
})
