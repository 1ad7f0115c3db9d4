import t from 'tap'
import { parseMetricsApiConnects, parsePrometheusConnects, parseV4Connects } from '../../src/emqx/connects.js'

t.test('the CONNECT counter from each source EMQX offers', async (t) => {
  t.equal(parsePrometheusConnects('# TYPE emqx_client_connect counter\nemqx_client_connect 42\nemqx_client_connected 3\n'), 42, 'node mode: no label')
  t.equal(parsePrometheusConnects('emqx_client_connect{node="emqx@a"} 7\n'), 7, 'one labelled sample')
  t.equal(parsePrometheusConnects('emqx_client_connect{node="a"} 7\nemqx_client_connect{node="b"} 9\n'), undefined,
    'cluster mode (one sample per node) is not this node\'s: no evidence')
  t.equal(parsePrometheusConnects('emqx_client_connected 3\n'), undefined, 'absent: no evidence')
  t.equal(parsePrometheusConnects('emqx_client_connect NaN\n'), undefined, 'garbage: no evidence')
  t.equal(parseMetricsApiConnects('[{"node":"emqx@a","client.connect":5},{"node":"emqx@b","client.connect":9}]', 'emqx@b'), 9)
  t.equal(parseMetricsApiConnects('[{"node":"emqx@a","client.connect":5}]', 'emqx@b'), undefined, 'another node\'s figure is not evidence')
  t.equal(parseMetricsApiConnects('<html>', 'emqx@a'), undefined)
  t.equal(parseV4Connects('{"code":0,"data":{"client.connect":11}}'), 11)
  t.equal(parseV4Connects('{"code":400,"message":"bad"}'), undefined, '4.4 in-body error')
})
