import t from 'tap'
import { KEPT_MARKER, keptSections, withKept } from '../../bench/lib/kept.js'

const previous = [
  '# emqx-lb-sidecar benchmarks', '', '## 1. Probe serving', '', 'old figures', '',
  '## 6. nginx with njs: per-connection cost', '', KEPT_MARKER, 'njs figures', '',
  '## 7. Something else', '', 'not kept', '',
  '## 8. Acknowledged evacuation', '', KEPT_MARKER, 'ack figures', '',
].join('\n')

t.test('a full bench run carries over the sections written by stand-alone scripts, and only those', async (t) => {
  const kept = keptSections(previous)
  t.equal(kept.length, 2)
  t.match(kept[0], /^## 6\. nginx with njs[\s\S]*njs figures\n$/)
  t.match(kept[1], /^## 8\. Acknowledged evacuation[\s\S]*ack figures\n$/)
  const out = withKept('# report\n\n## 1. Probe serving\n\nnew figures\n', previous)
  t.match(out, /new figures[\s\S]*## 6\. nginx with njs[\s\S]*## 8\. Acknowledged/)
  t.notMatch(out, /old figures|not kept/)
})

t.test('no previous file, or nothing kept: the report as it is', async (t) => {
  t.equal(withKept('# report\n', undefined), '# report\n')
  t.equal(withKept('# report\n', '# old\n\n## 1. x\n\ny\n'), '# report\n')
})
