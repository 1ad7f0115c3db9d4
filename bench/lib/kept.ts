/**
 * Sections of bench/results.md written by stand-alone bench scripts (nginx + njs, acknowledged evacuation)
 * rather than by `npm run bench`: they carry this marker on the line after their heading, and a full run
 * carries them over instead of dropping figures it did not measure.
 */
export const KEPT_MARKER = '<!-- kept by npm run bench: written by a stand-alone script -->'

/** The kept sections of an earlier results.md, in order, each from its `## ` heading to the next. */
export function keptSections (previous: string): string[] {
  const sections = previous.split(/^(?=## )/m).slice(1)
  // the marker is the first non-blank line under the heading
  return sections.filter((s) => s.split('\n').slice(1).find((l) => l.trim() !== '')?.trim() === KEPT_MARKER).map((s) => s.trimEnd() + '\n')
}

/** The new report followed by the kept sections of the previous one. */
export function withKept (report: string, previous: string | undefined): string {
  const kept = previous === undefined ? [] : keptSections(previous)
  return kept.length === 0 ? report : `${report.trimEnd()}\n\n${kept.join('\n')}`
}
