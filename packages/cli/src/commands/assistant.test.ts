import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Drives the real `puyu` binary (dist/ built by the suite's global setup) through the contract
// the rejection benchmark relies on: ingest DIR --kb, calibrate --good --bad, ask --json --retrieval-only.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
const tmp = mkdtempSync(join(tmpdir(), 'puyu-cli-assistant-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function puyu(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: tmp, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('puyu assistant', () => {
  it('ingest → calibrate → ask --json (retrieval only), and coded errors', () => {
    mkdirSync(join(tmp, 'docs'));
    writeFileSync(join(tmp, 'docs', 'apt.md'), '# APT\n\nRun apt update to refresh the package lists.\n');
    writeFileSync(join(tmp, 'docs', 'net.md'), '# 网络\n\n编辑 /etc/network/interfaces 配置网络接口。\n');
    writeFileSync(join(tmp, 'good.txt'), 'How do I refresh the package lists?\n如何配置网络接口？\n');
    writeFileSync(join(tmp, 'bad.txt'), '# off-topic\nWho wrote Hamlet?\n今天天气怎么样？\n');
    const ing = puyu(['assistant', 'ingest', 'docs', '--kb', 'kb', '--json']);
    expect(ing.code, ing.stderr).toBe(0);
    expect(JSON.parse(ing.stdout)).toMatchObject({ added: ['apt.md', 'net.md'], chunks: 2 });
    const cal = puyu(['assistant', 'calibrate', '--kb', 'kb', '--good', 'good.txt', '--bad', 'bad.txt', '--json']);
    expect(cal.code, cal.stderr).toBe(0);
    expect(JSON.parse(cal.stdout).bm25).toMatchObject({ f1: 1, good: 2, bad: 2 });

    const yes = JSON.parse(
      puyu([
        'assistant',
        'ask',
        '--kb',
        'kb',
        '--json',
        '--retrieval-only',
        '--retriever',
        'bm25',
        'How can I refresh package lists with apt?',
      ]).stdout,
    );
    expect(yes).toMatchObject({ decision: 'answer', calibrated: true, citations: [expect.objectContaining({ n: 1, source: 'apt.md' })] });
    expect(typeof yes.score).toBe('number');
    const no = JSON.parse(puyu(['assistant', 'ask', '--kb', 'kb', '--json', '--retrieval-only', 'Who painted the Mona Lisa?']).stdout);
    expect(no).toMatchObject({ decision: 'reject', reason: expect.stringMatching(/threshold/) });
    expect(no.answer).toBeUndefined();

    const noModel = puyu(['assistant', 'ask', '--kb', 'kb', '--json', 'apt?']);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/\[ASSISTANT_NO_MODEL\]/);
    const dense = puyu(['assistant', 'ask', '--kb', 'kb', '--retrieval-only', '--retriever', 'dense', 'apt?']);
    expect(dense.stderr).toMatch(/\[ASSISTANT_NO_VECTORS\]/);
    const badFlag = puyu(['assistant', 'ask', '--kb', 'kb', '--retriever', 'tfidf', 'apt?']);
    expect(badFlag.code).not.toBe(0);
  });
});
