import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A local web of generated pages about a made-up country (so no model could know the answers),
// and a scripted planner/searcher/writer for it: the fixture MindSearch's offline tests and the
// Studio's MindSearch page test share (through `@puyu/agent/testing`). The scripted model quotes
// the sources it is shown, so its citations can be checked against the pages.

export const ASTREL_PAGES: Record<string, [string, string[]]> = {
  'veloria.html': ['Veloria', ['Veloria is the capital of the Kingdom of Astrel.', 'The city was founded in 1204 by river traders.']],
  'veloria-people.html': [
    'Veloria in numbers',
    ['Veloria has a population of 2.4 million people.', 'Most residents of Veloria live on the north bank.'],
  ],
  'brennholt.html': ['Brennholt', ['Brennholt is the largest port of Astrel.', 'Brennholt handles 40 million tonnes of cargo each year.']],
  'tea.html': ['Tea in Astrel', ['Mountain tea is grown in the south of Astrel.', 'Tea houses close early in winter.']],
  'weather.html': ['Climate', ['Winters in the Kingdom are long and wet.', 'Summer storms arrive from the west.']],
};

export const astrelPage = (title: string, sentences: string[]) =>
  `<!doctype html><html><head><title>${title}</title></head><body><nav>Home | Atlas | Search</nav><article><h1>${title}</h1>${sentences.map((s) => `<p>${s} This paragraph belongs to the atlas entry on ${title}.</p>`).join('')}</article><footer>Atlas of Astrel</footer></body></html>`;

/** Writes the pages into `dir` (which must exist). */
export function writeAstrelWeb(dir: string): void {
  for (const [file, [title, sentences]] of Object.entries(ASTREL_PAGES)) writeFileSync(join(dir, file), astrelPage(title, sentences));
}

export const ASTREL_QUESTION = 'How many people live in the capital of Astrel, and which city is its largest port?';

/** q1 and q2 are independent (their searchers run in parallel); q3 needs q1; the q9 edge is repaired away. */
export const ASTREL_PLAN = {
  nodes: [
    { id: 'q1', question: 'What is the capital of Astrel?' },
    { id: 'q2', question: 'What is the largest port of Astrel?' },
    { id: 'q3', question: 'What is the population of Veloria?' },
  ],
  edges: [
    ['q1', 'q3'],
    ['q9', 'q2'],
  ],
};

const STOP = new Set(['what', 'is', 'the', 'of', 'a', 'which', 'and', 'how', 'in']);
const words = (s: string) => (s.toLowerCase().match(/[a-z0-9.]+/g) ?? []).filter((w) => !STOP.has(w));

/**
 * The scripted model: one behaviour per prompt the MindSearch pipeline sends (an OpenAI chat
 * request body). The first plan is broken JSON, so the pipeline must retry.
 */
export function astrelScriptedReply(r: { body: Record<string, unknown> }): string {
  const messages = r.body.messages as { role: string; content: string }[];
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  const user = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  if (user.includes('You plan web research')) return 'Here is my plan: {"nodes": [{"id": "q1", "question": "What is the capital'; // broken JSON
  if (user.startsWith('Your plan could not be read')) return `\`\`\`json\n${JSON.stringify(ASTREL_PLAN)}\n\`\`\``;
  if (user.includes('Which results should be read')) return '[1, 2]';
  if (system.startsWith('You answer one research question')) {
    const current = /## Current question\n(.+)/.exec(user)?.[1] ?? '';
    const q = new Set(words(current));
    let best = { score: -1, sentence: '', n: 0 };
    for (const m of user.matchAll(/\[\[(\d+)\]\] .+\n([\s\S]*?)(?=\n\n\[\[|$)/g)) {
      for (const sentence of (m[2] ?? '').split(/(?<=\.)\s+/)) {
        const score = words(sentence).filter((w) => q.has(w)).length;
        if (score > best.score) best = { score, sentence, n: Number(m[1]) };
      }
    }
    return `${best.sentence} [[${best.n}]]`;
  }
  if (system.startsWith('Write the final answer')) {
    // Quote every sub-answer with its (global) citation.
    return [...user.matchAll(/^## .+\n(.+)$/gm)].map((m) => m[1]).join(' ');
  }
  return 'unexpected prompt';
}
