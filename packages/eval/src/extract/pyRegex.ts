/**
 * OpenCompass's rules are Python `re.search` patterns. Two differences from JavaScript matter:
 * Python's `$` (without MULTILINE) also matches just before a final `\n`, and `\w` / `str.isdigit`
 * are Unicode-aware. Patterns are written here in JS syntax with `$` meaning Python's `$`; this
 * helper rewrites each `$` outside a character class to `(?=\n?$)` so the match positions agree.
 */
export function pyRegex(pattern: string, flags = ''): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') inClass = true;
    out += c === '$' ? '(?=\\n?$)' : c;
  }
  return new RegExp(out, flags);
}

/** Python's `str.split(sep)[index]` semantics for a literal separator (JS `split` agrees; kept for clarity). */
export function splitFirst(text: string, sep: string): string {
  const i = text.indexOf(sep);
  return i < 0 ? text : text.slice(0, i);
}
