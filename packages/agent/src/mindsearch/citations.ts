/** `[[n]]` citations, MindSearch's format: find, keep only valid ones, renumber. */

const CITATION = /\[\[(\d+)\]\]/g;

/** The cited numbers in order of first appearance. */
export function citedIds(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(CITATION)) {
    const n = Number(m[1]);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** Rewrites every `[[n]]` through `map`; a number the map does not know is removed. */
export function mapCitations(text: string, map: (n: number) => number | undefined): string {
  return text.replace(CITATION, (_, d: string) => {
    const to = map(Number(d));
    return to === undefined ? '' : `[[${to}]]`;
  });
}

export interface Reference {
  id: number;
  url: string;
  title: string;
}

/**
 * Final renumbering: citations become 1..m in order of first appearance, citations to unknown
 * sources are dropped, and the reference list holds exactly the cited sources, in that order.
 */
export function renumberCitations(
  text: string,
  sources: ReadonlyMap<number, { url: string; title: string }>,
): { text: string; references: Reference[] } {
  const order = citedIds(text).filter((n) => sources.has(n));
  const next = new Map(order.map((n, i) => [n, i + 1]));
  const references = order.map((n, i) => {
    const s = sources.get(n) as { url: string; title: string };
    return { id: i + 1, url: s.url, title: s.title };
  });
  return { text: mapCitations(text, (n) => next.get(n)), references };
}
