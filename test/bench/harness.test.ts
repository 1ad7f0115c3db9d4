import t from 'tap'
import { spawn } from 'node:child_process'
import { localizeConfig } from '../../bench/lib/haproxy.js'
import { exitWithin } from '../../bench/lib/proc.js'
import { fixedBound } from '../../bench/lib/startup.js'
import type { LoadReport } from '../../bench/lib/load.js'
import { checkTargets, renderMarkdown, type Results } from '../../bench/lib/report.js'
import { stormSection, stormTarget } from '../../bench/lib/report-storm.js'
import { imageNodeMajor, quantityBytes, sidecarMemory } from '../../bench/lib/shipped.js'
import type { StormResult, StormRun } from '../../bench/sections/storm.js'
import { rotate, type ServedRun } from '../../bench/sections/serving.js'
import { summarize } from '../../bench/lib/stats.js'
import { parseAnswer } from '../../bench/load/generator.js'

/** The bench's pure parts: the figures it prints are only as good as these. */
t.test('summarize: nearest-rank percentiles', async (t) => {
  const s = summarize(Array.from({ length: 200 }, (_, i) => 200 - i))
  t.same([s.n, s.p50, s.p90, s.p99, s.max, s.mean], [200, 100, 180, 198, 200, 100.5])
  t.ok(Number.isNaN(summarize([]).p99), 'no samples: NaN, not 0')
})

t.test('parseAnswer: complete answers only, Content-Length honoured', async (t) => {
  const full = Buffer.from('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbody')
  t.same(parseAnswer(full), { length: full.length, status: 503 })
  t.equal(parseAnswer(full.subarray(0, full.length - 1)), undefined, 'body incomplete')
  t.equal(parseAnswer(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n')), undefined, 'headers incomplete')
  const two = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'), full])
  t.same(parseAnswer(two), { length: 38, status: 200 }, 'the first of two answers')
})

t.test('localizeConfig: one server on loopback, check port and stats socket rewritten, comments kept', async (t) => {
  const cfg = [
    'global', '    # stats socket /x', '    stats socket /run/haproxy/admin.sock mode 660 level admin',
    'frontend f', '    bind :1883', 'backend b',
    '    server emqx1 10.0.0.1:1883 agent-port 9184', '    server emqx2 10.0.0.2:1883 agent-port 9184',
  ].join('\n')
  const out = localizeConfig(cfg, { listenPort: 1, statsSocket: '/tmp/s.sock', mqttPort: 2, checkPort: 3 })
  t.match(out, /stats socket \/tmp\/s\.sock mode 660 level admin/)
  t.match(out, /# stats socket \/x/, 'comments untouched')
  t.match(out, /bind 127\.0\.0\.1:1\n/)
  t.match(out, /server emqx1 127\.0\.0\.1:2 agent-port 3/)
  t.notMatch(out, /emqx2/, 'one server is enough to time a flip')
  t.throws(() => localizeConfig('server a 1.2.3.4:1883 check', { listenPort: 1, statsSocket: 's', mqttPort: 2, checkPort: 3 }), /no agent-port\/port/)
})

const report = (rps: number, p99 = 1): LoadReport => ({ requests: 1, errors: 0, statuses: { 200: 1 }, rps, latency: { n: 1, p50: 1, p90: 1, p99, max: 1, mean: 1 } })
const served = (rps: number, p99 = 1, cpuUsPerRequest = NaN): ServedRun => ({ ...report(rps, p99), cpuUsPerRequest })
const MB = 1024 * 1024
const settled = (rss: number, hwm = rss * 1.5) => ({ rss, hwm, samples: [rss, rss, rss] })

t.test('checkTargets: each target judged on the figure the issue names', async (t) => {
  const results: Results = {
    machine: { cpu: 'cpu', cores: 2, node: 'v20.0.0', os: 'Linux', date: '2026-01-01T00:00:00Z', load: '0 0 0' },
    mode: 'test',
    serving: {
      targets: ['bare node:http', 'sidecar'],
      rows: [
        // three runs, alternating: judged on the median of the run-by-run ratios (0.95, 0.89, 0.91 -> 0.91)
        // CPU per request run by run: ratios 1.05, 1.10, 1.00 -> 1.05x (1.00x-1.10x)
        { shape: { connections: 100, keepAlive: true }, generator: 'wrk', runs: new Map([['bare node:http', [served(1000, 1, 20), served(2000, 1, 20), served(1100, 1, 20)]], ['sidecar', [served(950, 1, 21), served(1780, 1, 22), served(1001, 1, 20)]]]) },
        { shape: { connections: 1000, keepAlive: true }, generator: 'wrk', runs: new Map([['bare node:http', [served(1000)]], ['sidecar', [served(890)]]]) },
        { shape: { connections: 1000, keepAlive: false }, generator: 'js', runs: new Map([['bare node:http', [served(1000)]], ['sidecar', [served(790)]]]) },
        { shape: { connections: 1000, keepAlive: true, rate: 1000 }, generator: 'js', runs: new Map([['bare node:http', [{ ...served(1000), generatorLagP99Ms: 3 }]], ['sidecar', [{ ...served(1000, 4.9), generatorLagP99Ms: 2 }]]]) },
        { shape: { connections: 1000, keepAlive: true, rate: 5000 }, generator: 'js', runs: new Map([['bare node:http', [served(5000)]], ['sidecar', [served(5000, 50)]]]) },
      ],
      pairs: [],
      pinned: true,
      wrkMissing: false,
      rssBefore: new Map([['bare node:http', 40 * MB], ['sidecar', 50 * MB]]),
      rssAfter: new Map([['bare node:http', 100 * MB], ['sidecar', 131 * MB]]),
    },
    drain: [{ intervalMs: 1000, flips: 200, drain: { n: 100, p50: 500, p90: 900, p99: 1049, max: 1100, mean: 500 }, recover: { n: 100, p50: 500, p90: 900, p99: 990, max: 999, mean: 500 } }],
    upstream: { intervalMs: 1000, rows: [{ targetRate: 10, probes: report(10), upstreamPerSecond: 1 }, { targetRate: 10_000, probes: report(10_000), upstreamPerSecond: 1.2 }] },
    footprint: {
      sidecarIdle: { rssBytes: 59 * MB, cpu: 0.006 },
      bareIdle: { rssBytes: 40 * MB, cpu: 0 },
      startMs: [300, 2000, 400],
      startMedianMs: 400,
      modules: [],
      runtimes: [20, imageNodeMajor()].map((m) => ({ runtime: `v${m}.1.0`, runs: [{ sidecar: settled(60 * MB), floor: settled(50 * MB) }] })),
    },
  }
  const verdict = Object.fromEntries(checkTargets(results).map((c) => [c.target.split(' ').slice(0, 4).join(' '), c.met]))
  t.same(verdict, {
    // no throughput target: closed-loop loads are information (0.79x on one of them misses nothing)
    'p99 < 5 ms': true, // judged on the once-a-second fleet only, not the 5,000 req/s context row
    'drain detection p99 <=': true,
    'EMQX requests flat at': false, // 1.2 per interval at 10,000 probes/s
    'idle RSS <= floor': true, // 10 MiB above the floor on both runtimes: the limit itself
    'idle CPU < 0.5%': false,
    'start to first correct': true, // the median, the max is shown
    'RSS after the load': false, // 1.31x
  })
  const md = renderMarkdown(results)
  t.notMatch(md, /probe throughput/, 'throughput at saturation judges no target')
  t.match(md, '### Throughput at saturation and latency at a fixed rate\n\n`GET /availability`. Throughput at saturation ' +
    '(the closed-loop rows and the same-core pairs) is information, not a target')
  t.match(md, /\| 100 conn, keep-alive \| sidecar \| 1,001 \| 1\.00 \| 1\.00 \| 1\.00 \| 0 \| 0\.91x \| 0\.89x-0\.95x \| 950-1,780 \| 21\.0 \| 1\.05x \(1\.00x-1\.10x\) \| wrk \|/, 'medians of the runs, ratio range, req/s range, CPU per request and its ratio, generator')
  t.match(md, /\| 1000 conn, keep-alive, fixed 1000 req\/s \| sidecar \| .* \| {2}\| {2}\| js \|/, 'no CPU figure for the JavaScript generator\'s rows')
  t.match(md, 'The generator\'s own event-loop delay, p99 in ms (median of runs; in every latency it records, whatever the server did): 1000 conn, keep-alive, fixed 1000 req/s: 3.00 against bare node:http, 2.00 against sidecar.', 'the generator\'s share of the fixed-rate rows, wrk rows left out')
  t.notMatch(md, /HAProxy/, 'sections that did not run are left out')
})

t.test('same-core pairs are shown as information: no throughput target is judged on them', async (t) => {
  const ka = (connections: number, sidecar: number) => ({ shape: { connections, keepAlive: true }, generator: 'wrk' as const, runs: new Map([['bare node:http', [served(1000)]], ['sidecar', [served(sidecar)]]]) })
  const pair = (connections: number, target: string, ratios: number[]) => ({ shape: { connections, keepAlive: true }, target, ratios, generatorBusy: [0.5, 0.61] })
  const results: Results = {
    machine: { cpu: 'cpu', cores: 2, node: 'v20.0.0', os: 'Linux', date: '2026-01-01T00:00:00Z', load: '0 0 0' },
    mode: 'test',
    serving: {
      targets: ['bare node:http', 'sidecar'],
      rows: [ka(100, 800), ka(1000, 850)],
      pairs: [
        pair(100, 'sidecar', [0.92, 0.88, 0.9]),
        pair(100, 'bare node:http, second process (A/A)', [1.01, 0.99, 1]),
        pair(1000, 'sidecar', [0.5, 0.5, 0.5]),
      ],
      pinned: true,
      wrkMissing: false,
      rssBefore: new Map(),
      rssAfter: new Map(),
    },
  }
  t.same(checkTargets(results).filter((c) => /throughput|0\.9x/.test(c.target)), [], 'even at 0.50x')
  const md = renderMarkdown(results)
  t.match(md, '### Same-core pairs (information)')
  t.match(md, '| 100 conn, keep-alive | sidecar | 0.90x | 0.88x-0.92x | 3 | 61% |')
})

t.test('storm target: the sidecar\'s median peak on the image\'s Node major against 80% of deploy/base\'s limit', async (t) => {
  const major = imageNodeMajor()
  const { limit } = sidecarMemory()
  t.ok(major >= 20 && limit > 0, `read from the Dockerfile (Node ${major}) and deploy/base (limit ${limit} bytes)`)
  t.equal(quantityBytes('160Mi'), 160 * MB)
  t.equal(quantityBytes('200M'), 200e6)
  t.ok(Number.isNaN(quantityBytes('lots')))
  const run = (peakMib: number): StormRun => ({ idle: 90 * MB, peak: peakMib * MB, after: peakMib * MB, later: 100 * MB, requests: 20_000 })
  const storm = (peaks: number[], runtime = `v${major}.1.0`): StormResult => ({
    connections: 1000,
    durationMs: 5000,
    laterMs: 15_000,
    flags: ['--optimize-for-size'],
    generator: 'wrk',
    rows: [{ runtime: 'v20.0.0', target: 'sidecar', runs: [run(1000)] }, { runtime, target: 'bare node:http', runs: [run(1000)] }, { runtime, target: 'sidecar', runs: peaks.map(run) }],
  })
  const limitMib = limit / MB
  // the median decides: one run far above the line does not, two do
  t.equal(stormTarget(storm([0.8 * limitMib, 10 * limitMib, 0.5 * limitMib])).met, true)
  t.equal(stormTarget(storm([0.81 * limitMib, 10 * limitMib, 0.5 * limitMib])).met, false)
  const missing = stormTarget(storm([1], 'v18.0.0'))
  t.equal(missing.met, false, 'no row on the image\'s Node: not met')
  t.match(missing.figure, `not measured on Node ${major}`)
  const md = stormSection(storm([110, 130, 120])).join('\n')
  t.match(md, new RegExp(`\\| v${major}\\.1\\.0 \\| sidecar \\| 90 \\(90-90\\) \\| 120 \\(110-130\\) \\| 120 \\(110-130\\) \\| 100 \\(100-100\\) \\| 20000 \\(20000-20000\\) \\|`), 'median (min-max) in MiB')
})

t.test('serving rounds start with a different target each time, so no target always holds the same slot', async (t) => {
  const targets = ['bare', 'sidecar', 'in-process', 'a/a', 'nginx']
  const rounds = [0, 1, 2, 3, 4].map((r) => rotate(targets, r))
  t.same(rounds[1], ['sidecar', 'in-process', 'a/a', 'nginx', 'bare'])
  for (const name of targets) t.same(rounds.map((r) => r.indexOf(name)).sort(), [0, 1, 2, 3, 4], `${name} takes every slot once in ${targets.length} rounds`)
  t.same(rotate(targets, 7), rotate(targets, 2), 'wraps round')
  t.same(rotate([], 3), [])
})

t.test('exitWithin: a tool\'s exit code, or a kill and a named error once its time and the slack are past', async (t) => {
  t.equal(await exitWithin(spawn('sh', ['-c', 'exit 3']), 0, 'sh', undefined, fixedBound(10_000)), 3, 'the exit code')
  const hung = spawn('sleep', ['60'])
  class Late extends Error {}
  const err = await exitWithin(hung, 50, 'sleep', (m) => new Late(m), fixedBound(100)).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof Late, 'the caller\'s error')
  t.match((err as Error).message, /^sleep \(pid \d+\) had not exited after 150 ms \(its 50 ms \+ 100 ms: set by the caller\): killed$/)
  t.equal(hung.signalCode, 'SIGKILL', 'and the tool is killed and gone before it returns')
})
