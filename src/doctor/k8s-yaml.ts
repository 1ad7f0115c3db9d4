import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml'
import { DoctorInputError } from './finding.js'

/** One YAML document: its value, and the line of any path in it (the nearest existing parent's for a missing one). */
export interface YamlDoc {
  readonly value: unknown
  readonly lineOf: (path: ReadonlyArray<string | number>) => number
}

/**
 * Every document of a (multi-document) YAML file, parsed as kubectl does (YAML 1.1: `0440` is octal).
 * Throws DoctorInputError at the first error, with its line.
 */
export function parseYaml (file: string, text: string): YamlDoc[] {
  const counter = new LineCounter()
  const docs = parseAllDocuments(text, { version: '1.1', lineCounter: counter })
  if (!Array.isArray(docs)) return []
  const out: YamlDoc[] = []
  for (const doc of docs) {
    const error = doc.errors[0]
    if (error !== undefined) {
      const line = error.linePos?.[0].line ?? counter.linePos(error.pos[0]).line
      const detail = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')
      throw new DoctorInputError(file, line, `malformed YAML: ${detail}`)
    }
    const value: unknown = doc.toJS()
    if (value === null || value === undefined) continue
    out.push({ value, lineOf: (path) => counter.linePos(offsetOf(doc, path)).line })
  }
  return out
}

function offsetOf (doc: Document, path: ReadonlyArray<string | number>): number {
  let node: unknown = doc.contents
  let at = (doc.contents as Node | null)?.range?.[0] ?? 0
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key)
      if (pair === undefined) break
      at = (pair.key as Node).range?.[0] ?? at
      node = pair.value
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined
      if (item === undefined) break
      at = item.range?.[0] ?? at
      node = item
    } else break
  }
  return at
}

/** A field of a YAML map, or undefined. */
export function field (v: unknown, ...path: ReadonlyArray<string | number>): unknown {
  let cur = v
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined
    cur = (cur as Record<string | number, unknown>)[k]
  }
  return cur
}

export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
export const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined)
export const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined)
