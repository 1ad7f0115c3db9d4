import t from 'tap'
import { ADMIN_FDRAIN, parseServersState, parseShowStat } from '../../src/demo/haproxy.js'
import { renderScreen } from '../../src/demo/screen.js'

// Captured from HAProxy 2.6.12 running haproxy/haproxy-agent.cfg: emqx1's agent answers `up drain`,
// emqx2's agent port is closed, emqx3's broker port is closed.
const SERVERS_STATE = '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n3 emqx_mqtt 1 emqx1 127.0.0.1 2 8 1 1 7 6 3 4 6 22 0 0 - 36149 - 0 0 - - 45217\n3 emqx_mqtt 2 emqx2 127.0.0.1 2 0 1 1 8 6 3 4 6 22 0 0 - 36149 - 0 0 - - 1\n3 emqx_mqtt 3 emqx3 127.0.0.1 0 0 1 1 6 8 2 0 6 22 0 0 - 1 - 0 0 - - 1\n'
const SHOW_STAT = '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,\nmqtt,FRONTEND,,,0,0,9981,0,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,0,,,,,,,,,,,0,0,0,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,tcp,,0,0,0,,0,0,0,,,,,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,\nemqx_mqtt,emqx1,0,0,0,0,,0,0,0,,0,,0,0,0,0,DRAIN (agent),1,1,0,0,0,7,0,,1,3,1,,0,,2,0,,0,L4OK,,0,,,,,,,,,,,0,0,,,,,-1,,via agent : up,0,0,0,0,L7OK,0,0,Layer4 check passed,Layer7 check passed,2,3,4,1,1,1,127.0.0.1:36149,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,\nemqx_mqtt,emqx2,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,8,0,,1,3,2,,0,,2,0,,0,L4OK,,0,,,,,,,,,,,0,0,,,,,-1,,Connection refused,0,0,0,0,L4CON,,0,Layer4 check passed,Layer4 connection problem,2,3,4,1,1,1,127.0.0.1:36149,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,\nemqx_mqtt,emqx3,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,6,6,,1,3,3,,0,,2,0,,0,L4CON,,0,,,,,,,,,,,0,0,,,,,-1,Connection refused,Connection refused,0,0,0,0,L4CON,,0,Layer4 connection problem,Layer4 connection problem,2,3,0,1,1,1,127.0.0.1:1,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,\nemqx_mqtt,BACKEND,0,0,0,0,999,0,0,0,0,0,,0,0,0,0,UP,1,1,0,,0,8,0,,1,3,0,,0,,1,0,,0,,,,,,,,,,,,,,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,tcp,leastconn,,,,,,,0,0,0,,,,,0,0,0,0,0,,,,,1,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,\n'

t.test('show stat: backend server rows only, with status, sessions and check results', async (t) => {
  const rows = parseShowStat(SHOW_STAT)
  t.same(rows.map((r) => [r.server, r.status, r.checkStatus, r.agentStatus]), [
    ['emqx1', 'DRAIN (agent)', 'L4OK', 'L7OK'],
    ['emqx2', 'UP', 'L4OK', 'L4CON'],
    ['emqx3', 'DOWN', 'L4CON', 'L4CON'],
  ])
  t.ok(rows.every((r) => r.backend === 'emqx_mqtt' && r.scur === 0 && Number.isInteger(r.stot)))
})

t.test('show servers state: the agent drain is the forced-drain admin bit', async (t) => {
  const admin = parseServersState(SERVERS_STATE)
  t.equal(admin.get('emqx1'), ADMIN_FDRAIN)
  t.equal(admin.get('emqx2'), 0)
  t.equal(admin.get('emqx3'), 0)
})

t.test('the demo screen marks the selected node and shows every column', async (t) => {
  const [lb] = parseShowStat(SHOW_STAT)
  const screen = renderScreen({
    mqttPort: 1883,
    configName: 'haproxy-agent.cfg',
    selected: 1,
    connected: 5,
    total: 6,
    message: 'emqx2: evacuate',
    rows: [
      { name: 'emqx1', process: 'none', availability: 200, sidecar: 'up', agent: 'up ready', lb: undefined, brokerClients: 3 },
      { name: 'emqx2', process: 'evacuation: evicting_conns', availability: 503, sidecar: 'draining', agent: 'up drain', lb, brokerClients: 2 },
    ]
  })
  t.match(screen, /127\.0\.0\.1:1883 \(haproxy\/haproxy-agent\.cfg\); 5\/6 demo clients connected/)
  t.match(screen, /\n {2}emqx1 +none +200 +up +up ready +\? +3/)
  t.match(screen, /\n> emqx2 +evacuation: evicting_conns +503 +draining +up drain +DRAIN \(agent\) +2/)
  t.match(screen, /emqx2: evacuate\n$/)
})

t.test('the demo screen widens a column for a long EMQX process state instead of running into the next', async (t) => {
  const process = 'rebalance recipient: waiting_health_check'
  const screen = renderScreen({
    mqttPort: 1883,
    configName: 'haproxy-agent.cfg',
    selected: 0,
    connected: 0,
    total: 0,
    message: '',
    rows: [
      { name: 'emqx1', process, availability: 503, sidecar: 'draining', agent: 'up drain', lb: undefined, brokerClients: 0 },
    ]
  })
  t.match(screen, new RegExp(`\n> emqx1 +${process} {2,}503 +draining +up drain +\\? +0 +-\n`), 'the cluster column shows - without a membership view')
  const [header, row] = screen.split('\n').slice(2, 4)
  t.equal(header?.indexOf('avail.'), row?.indexOf('503'), 'columns stay aligned')
})
