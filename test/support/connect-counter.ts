import type { Test } from 'tap'
import { ConnectCounter, type ConnectSink } from '../../src/demo/connect-counter.js'
export { ConnectCounter, type ConnectSink } from '../../src/demo/connect-counter.js'

/**
 * The counting hop the demo uses (src/demo/connect-counter.ts) in front of one broker: each MQTT CONNECT that
 * passes is counted for `sink` (the node's EMQX double, as EMQX counts `client.connect`); stopped when the test ends.
 */
export async function startConnectCounter (t: Test, brokerPort: number, sink: ConnectSink): Promise<ConnectCounter> {
  const hop = await ConnectCounter.start(brokerPort, sink)
  t.teardown(async () => { await hop.stop() })
  return hop
}
