/**
 * Splits text on added-token strings (leftmost match, longest at that position),
 * the way HF's added-token trie does before the model tokenizer runs.
 */
export class SpecialTokenSplitter {
  private readonly re: RegExp | undefined;
  private readonly ids = new Map<string, number>();

  constructor(tokens: ReadonlyArray<readonly [string, number]>) {
    for (const [content, id] of tokens) this.ids.set(content, id);
    const alternatives = [...this.ids.keys()].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    // Alternation order = longest first, so at one position the longest token wins.
    this.re = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'g') : undefined;
  }

  split(text: string, onText: (segment: string) => void, onToken: (id: number) => void): void {
    if (this.re === undefined) {
      if (text.length > 0) onText(text);
      return;
    }
    this.re.lastIndex = 0;
    let last = 0;
    for (let m = this.re.exec(text); m !== null; m = this.re.exec(text)) {
      if (m.index > last) onText(text.slice(last, m.index));
      onToken(this.ids.get(m[0]) as number);
      last = m.index + m[0].length;
    }
    if (last < text.length) onText(text.slice(last));
  }
}
