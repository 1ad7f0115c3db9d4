import t from 'tap'
import { renderScreen, type NodeRow } from '../../src/demo/screen.js'

const row = (name: string, page?: string): NodeRow => ({
  name, process: 'none', availability: 200, sidecar: 'up', agent: 'up ready', lb: undefined, brokerClients: 0, ...(page !== undefined ? { page } : {}),
})
const screen = (rows: NodeRow[]): string => renderScreen({ mqttPort: 1883, configName: 'haproxy-agent.cfg', rows, selected: 0, connected: 0, total: 0, message: '' })

t.test('the demo screen shows each node\'s live page', async (t) => {
  const s = screen([row('emqx1', 'http://127.0.0.1:40001/ui'), row('emqx2', 'http://127.0.0.1:40002/ui')])
  t.match(s, /\nlive pages: emqx1 http:\/\/127\.0\.0\.1:40001\/ui {2}emqx2 http:\/\/127\.0\.0\.1:40002\/ui\n\nkeys: /)
})

t.test('without pages, no line for them', async (t) => {
  t.notMatch(screen([row('emqx1')]), /live pages/)
})
