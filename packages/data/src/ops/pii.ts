import type { Doc } from '../io/jsonlDocs.js';
import { countEvent, type Operator } from './Operator.js';

/** PII kinds redacted by default; each has its own replacement token. */
export type PiiKind = 'email' | 'phone' | 'id_number' | 'ip';

export interface PiiOptions {
  kinds?: PiiKind[];
  /** Replacement per kind (default <EMAIL>, <PHONE>, <ID_NUMBER>, <IP>). */
  replacements?: Partial<Record<PiiKind, string>>;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// Chinese mobiles (1[3-9]x, 11 digits, optional +86), NANP (xxx-xxx-xxxx) and E.164 with separators.
const PHONE =
  /(?<![\d.])(?:(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}|(?:\+?1[-. ]?)?\(?[2-9]\d{2}\)?[-. ]\d{3}[-. ]\d{4}|\+\d{1,3}[- ]\d{1,4}(?:[- ]\d{2,4}){2,3})(?![\d.])/g;
// Chinese resident ID (18 characters, checked by its ISO 7064 check digit) and US SSN.
const CN_ID = /(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)/g;
const SSN = /(?<!\d)(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?!\d)/g;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)/g;
const IPV6 =
  /(?<![\w:])(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}(?![\w:])|(?<![\w:])(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}:){0,5}[0-9a-fA-F]{1,4}(?![\w:])/g;

/** The ISO 7064 MOD 11-2 check of an 18-character Chinese resident ID. */
export function validChineseId(id: string): boolean {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(id[i]) * (w[i] as number);
  return '10X98765432'[s % 11] === (id[17] as string).toUpperCase();
}

/** Redacts emails, phone numbers, ID numbers and IP addresses; counts redactions by kind (no drops). */
export function piiOperator(o: PiiOptions = {}): Operator {
  const kinds = new Set(o.kinds ?? ['email', 'phone', 'id_number', 'ip']);
  const rep = { email: '<EMAIL>', phone: '<PHONE>', id_number: '<ID_NUMBER>', ip: '<IP>', ...o.replacements };
  const events = new Map<string, number>();
  return {
    name: 'pii',
    events,
    apply(doc: Doc) {
      const redact = (kind: PiiKind) => () => {
        countEvent(events, kind);
        return rep[kind];
      };
      let t = doc.text;
      if (kinds.has('email')) t = t.replace(EMAIL, redact('email'));
      if (kinds.has('id_number')) {
        t = t.replace(CN_ID, (m) => (validChineseId(m) ? redact('id_number')() : m));
        t = t.replace(SSN, redact('id_number'));
      }
      if (kinds.has('ip')) t = t.replace(IPV4, redact('ip')).replace(IPV6, redact('ip'));
      if (kinds.has('phone')) t = t.replace(PHONE, redact('phone'));
      doc.text = t;
      return null;
    },
  };
}
