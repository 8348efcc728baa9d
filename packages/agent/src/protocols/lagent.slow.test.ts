import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Live differential: runs Lagent's Internlm2Protocol.parse (lagent 0.2.4 source under
// .cache/lagent-0.2.4, or $LAGENT_SRC) on the transcripts and checks it still writes the
// committed goldens, so the default suite compares against what Lagent really does.
const ROOT = resolve(__dirname, '../../../..');
const SRC = process.env.LAGENT_SRC ?? join(ROOT, '.cache/lagent-0.2.4');
const ready = existsSync(join(SRC, 'lagent/agents/internlm2_agent.py'));

describe('Lagent goldens, live', () => {
  it.skipIf(!ready)('gen_lagent_goldens.py reproduces fixtures/lagent-goldens.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-lagent-'));
    const fixtures = join(__dirname, 'fixtures');
    for (const f of ['gen_lagent_goldens.py', 'transcripts.json']) cpSync(join(fixtures, f), join(dir, f));
    const r = spawnSync('python3', [join(dir, 'gen_lagent_goldens.py'), SRC], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(readFileSync(join(dir, 'lagent-goldens.json'), 'utf8')).toBe(readFileSync(join(fixtures, 'lagent-goldens.json'), 'utf8'));
  });
  if (!ready) {
    it('skips: no lagent source', () => {
      console.log(
        `skipped: lagent 0.2.4 source not found at ${SRC} (unpack the lagent==0.2.4 sdist or the v0.2.4 tag of InternLM/lagent there, or set LAGENT_SRC)`,
      );
    });
  }
});
