import { describe, expect, it } from 'vitest';
import { lossCurveSvg } from './lossCurveSvg.js';

describe('lossCurveSvg', () => {
  it('draws one path per series, a legend and the baseline', () => {
    const svg = lossCurveSvg(
      [
        { label: 'train', color: '#1f77b4', points: [1, 2, 3, 4].map((x) => ({ x, y: 8 / x })) },
        {
          label: 'held-out',
          color: '#d62728',
          points: [
            { x: 2, y: 4.5 },
            { x: 4, y: 2.5 },
          ],
        },
      ],
      { title: 'loss <run>', baseline: { y: 6, label: 'unigram 6.00' } },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<title>loss &lt;run></title>');
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('held-out');
    expect(svg).toContain('unigram 6.00');
    expect(svg).toContain('loss &lt;run>');
    expect(svg).not.toContain('NaN');
  });
});
