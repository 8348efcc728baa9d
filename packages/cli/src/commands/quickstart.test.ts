import { describe, expect, it } from 'vitest';
import { cleanDocument } from './quickstart.js';

describe('quickstart data cleaning', () => {
  it('reflows hard-wrapped, indented prose and keeps verse lines', () => {
    expect(cleanDocument('WAR, n.  A by-product of the arts\n    of peace.   \n\n')).toBe('WAR, n. A by-product of the arts of peace.');
    expect(cleanDocument('《静夜思》\n作者：李白\n床前明月光，\n疑是地上霜。')).toBe('《静夜思》\n作者：李白\n床前明月光，\n疑是地上霜。');
  });
});
