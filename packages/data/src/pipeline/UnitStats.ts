import type { MalformedLog } from '../io/Malformed.js';

export interface StageStats {
  name: string;
  docsIn: number;
  docsOut: number;
  bytesIn: number;
  bytesOut: number;
  drops: Record<string, number>;
  examples: Record<string, { id: string; text: string }[]>;
  events: Record<string, number>;
  /** Time spent in this operator. */
  seconds: number;
}

/** What one shard (one input unit) did: written into its done marker and merged into the report. */
export interface UnitStats {
  unit: number;
  inputs: string[];
  read: number;
  kept: number;
  bytesRead: number;
  bytesKept: number;
  seconds: number;
  stages: StageStats[];
  malformed: ReturnType<MalformedLog['toJSON']>;
  /** Kept documents by log2 of their length in characters (bucket b: 2^b ≤ chars < 2^(b+1)). */
  lengthHistogram: Record<string, number>;
  languages: Record<string, number>;
  outputs: string[];
}

export function emptyStage(name: string): StageStats {
  return { name, docsIn: 0, docsOut: 0, bytesIn: 0, bytesOut: 0, drops: {}, examples: {}, events: {}, seconds: 0 };
}

/** Sums unit stats (the report of a run, or of several --shard tasks). */
export function mergeUnitStats(
  units: UnitStats[],
  examplesPerReason = 3,
): Omit<UnitStats, 'unit' | 'inputs' | 'outputs'> & { units: number } {
  const stages: StageStats[] = [];
  const malformed: UnitStats['malformed'] = { counts: {}, examples: {} };
  const total = { read: 0, kept: 0, bytesRead: 0, bytesKept: 0, seconds: 0 };
  const lengthHistogram: Record<string, number> = {};
  const languages: Record<string, number> = {};
  const add = (into: Record<string, number>, from: Record<string, number | undefined>) => {
    for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + (v ?? 0);
  };
  for (const u of [...units].sort((a, b) => a.unit - b.unit)) {
    total.read += u.read;
    total.kept += u.kept;
    total.bytesRead += u.bytesRead;
    total.bytesKept += u.bytesKept;
    total.seconds += u.seconds;
    add(lengthHistogram, u.lengthHistogram);
    add(languages, u.languages);
    add(malformed.counts as Record<string, number>, u.malformed.counts);
    for (const [k, ex] of Object.entries(u.malformed.examples)) {
      const all = malformed.examples as Record<string, string[]>;
      const into = all[k] ?? [];
      all[k] = into;
      for (const e of ex ?? []) if (into.length < examplesPerReason) into.push(e);
    }
    u.stages.forEach((s, i) => {
      const t = stages[i] ?? emptyStage(s.name);
      stages[i] = t;
      t.docsIn += s.docsIn;
      t.docsOut += s.docsOut;
      t.bytesIn += s.bytesIn;
      t.bytesOut += s.bytesOut;
      t.seconds += s.seconds ?? 0;
      add(t.drops, s.drops);
      add(t.events, s.events);
      for (const [k, ex] of Object.entries(s.examples)) {
        const into = t.examples[k] ?? [];
        t.examples[k] = into;
        for (const e of ex) if (into.length < examplesPerReason) into.push(e);
      }
    });
  }
  return { units: units.length, ...total, stages, malformed, lengthHistogram, languages };
}
