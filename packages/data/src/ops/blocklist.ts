import type { Doc } from '../io/jsonlDocs.js';
import { normaliseForTokens, wordTokenStrings } from '../text/wordTokens.js';
import type { Operator } from './Operator.js';

export interface BlocklistOptions {
  /** Words or phrases (matched on whole word tokens after NFKC + lowercasing; CJK phrases as substrings). */
  words?: string[];
  /** How many blocklisted word hits drop a document (default 1). */
  maxWordHits?: number;
  /** Domains; a URL whose host is the domain or a subdomain of it is dropped. */
  domains?: string[];
  /** Metadata field with the document's URL (default "url"). */
  urlField?: string;
}

/** Word and domain blocklists (the C4 "bad words" list and URL blocklists like the UT1 lists are the usual inputs). */
export function blocklistOperator(o: BlocklistOptions): Operator {
  const single = new Set<string>();
  const phrases: string[] = [];
  for (const w of o.words ?? []) {
    const n = normaliseForTokens(w).trim();
    if (!n) continue;
    const toks = wordTokenStrings(n);
    if (toks.length === 1 && !/[\u3040-\u30ff\u4e00-\u9fff]/.test(n)) single.add(toks[0] as string);
    else phrases.push(n);
  }
  const domains = new Set((o.domains ?? []).map((d) => d.toLowerCase().replace(/^\.+|\.+$/g, '')));
  const urlField = o.urlField ?? 'url';
  const maxHits = o.maxWordHits ?? 1;
  return {
    name: 'blocklist',
    apply(doc: Doc) {
      const url = doc.meta[urlField];
      if (domains.size > 0 && typeof url === 'string') {
        let host = '';
        try {
          host = new URL(url).hostname.toLowerCase();
        } catch {
          host = '';
        }
        for (let h = host; h; h = h.includes('.') ? h.slice(h.indexOf('.') + 1) : '') if (domains.has(h)) return 'blocked_domain';
      }
      if (single.size === 0 && phrases.length === 0) return null;
      let hits = 0;
      if (single.size > 0) for (const t of wordTokenStrings(doc.text)) if (single.has(t) && ++hits >= maxHits) return 'blocked_word';
      if (phrases.length > 0) {
        const norm = normaliseForTokens(doc.text);
        for (const p of phrases) if (norm.includes(p) && ++hits >= maxHits) return 'blocked_word';
      }
      return null;
    },
  };
}
