// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators; innerText() is the rendered text a reader sees
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeToolModel, type ToolModel } from '@puyu/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { type RunningStudio, startStudio } from '../server/index.js';
import { BIN, CHROMIUM, freePort, openPage, type Proc, puyu, SHOTS, shot, skipReason, until } from './harness.js';

// Labelling in a real browser on a real chain: an admin makes a dialogue project and imports
// dialogues that a served tiny InternLM2 pre-annotates, two annotators (one with the mouse, one
// with the keyboard only) rank and rewrite, a reviewer approves, and the SFT and DPO exports
// train with `puyu train sft` / `puyu train dpo`. Then images: each canvas tool, COCO export,
// re-import into a new project, the same annotations.
const skip = skipReason();
if (skip) console.warn(`skipping the labelling browser suite: ${skip}`);

const PASSWORD = 'correct horse battery';
let root = '';
let browser: Browser;
let studio: RunningStudio;
let serve: Proc | undefined;
let model: ToolModel;
const shots: string[] = [];
const url = (p: string) => `${studio.url}/${p}`;

/** Three dialogues, each with a wrong and a right imported answer (the model adds a third). */
const DIALOGUES = [
  { q: 'What is 2 + 3?', wrong: '6', right: '2 + 3 = 5' },
  { q: 'What is the capital of France?', wrong: 'Lyon', right: 'Paris' },
  { q: 'How many legs has a spider?', wrong: 'Six', right: 'Eight' },
];

function run(args: string[], stdin?: string): Promise<{ code: number | null; out: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, PUYU_THREADS: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.stdin.end(stdin ?? '');
    child.once('exit', (code) => ok({ code, out }));
  });
}

async function login(page: Page, name: string): Promise<void> {
  await page.goto(url('label'));
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('label-user').waitFor();
}

/** A signed-in page on its own browser context (its own cookies). */
async function as(name: string): Promise<{ page: Page; errors: string[] }> {
  const p = await openPage(browser, 'en');
  await login(p.page, name);
  return p;
}

async function download(page: Page, testId: string, to: string): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  await dl.saveAs(to);
  return readFileSync(to, 'utf8');
}

/** PNG bytes drawn by Chromium's own canvas (no image library needed here). */
async function png(page: Page, w: number, h: number, colour: string): Promise<Buffer> {
  const dataUrl = (await page.evaluate(`(() => {
    const c = document.createElement('canvas');
    c.width = ${w}; c.height = ${h};
    const g = c.getContext('2d');
    g.fillStyle = '#f8fafc'; g.fillRect(0, 0, ${w}, ${h});
    g.fillStyle = ${JSON.stringify(colour)}; g.fillRect(${w / 4}, ${h / 4}, ${w / 2}, ${h / 2});
    return c.toDataURL('image/png');
  })()`)) as string;
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

function zip(entries: Record<string, Buffer>): Promise<Buffer> {
  const z = new ZipFile();
  for (const [name, data] of Object.entries(entries)) z.addBuffer(data, name);
  z.end();
  return new Promise((ok, fail) => {
    const parts: Buffer[] = [];
    z.outputStream.on('data', (d: Buffer) => parts.push(d));
    z.outputStream.on('end', () => ok(Buffer.concat(parts)));
    z.outputStream.on('error', fail);
  });
}

beforeAll(async () => {
  if (skip) return;
  root = await mkdtemp(join(tmpdir(), 'puyu-label-browser-'));
  await mkdir(join(root, 'runs'));
  // the tiny InternLM2 of @puyu/testing (cached once made): served for pre-annotation, fine-tuned by the exports
  model = await makeToolModel();
  const port = await freePort();
  serve = puyu(['serve', model.gguf, '--port', String(port), '--ctx-size', '1024', '--sequences', '2', '--name', 'tool']);
  const labelDir = join(root, 'label');
  // the first admin, as `puyu label user add admin --role admin` makes it
  const { createUser, openDatabase } = await import('@puyu/label');
  const opened = await openDatabase(labelDir);
  await createUser(opened.db, 'admin', 'admin', PASSWORD);
  await opened.close();
  studio = await startStudio({ runsDir: join(root, 'runs'), port: 0, endpoints: [`http://127.0.0.1:${port}/v1`], labelDir });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  await until('puyu serve', async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok || undefined, 120_000);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await studio?.close();
  await serve?.stop();
  if (root) await rm(root, { recursive: true, force: true });
  if (shots.length) console.log(`Labelling screenshots (${SHOTS}):\n  ${shots.join('\n  ')}`);
});

/** Makes a user a member of the project whose admin page is open (the box turns on once the server agrees). */
async function member(page: Page, name: string): Promise<void> {
  await page.getByTestId(`member-${name}`).click();
  await expect.poll(() => page.getByTestId(`member-${name}`).isChecked()).toBe(true);
}

/** Candidate ids by content, read from the ranking's rows. */
async function candidateIds(page: Page): Promise<Record<string, string>> {
  const order = (await page.getByTestId('ranking').getAttribute('data-order'))!.split(',');
  const ids: Record<string, string> = {};
  for (const id of order) ids[(await page.getByTestId(`rank-${id}`).locator('.content').innerText()).trim()] = id;
  return ids;
}

describe.skipIf(!!skip)('labelling in Chromium', () => {
  let dialogueProject = 0;

  it('the sign-in page in both languages, with no console error before anyone signs in', async () => {
    for (const lang of ['en', 'zh'] as const) {
      const { page, errors } = await openPage(browser, lang);
      await page.goto(url('label'));
      await page.getByTestId('login-name').waitFor();
      const text = await page.locator('main').innerText();
      if (lang === 'zh') expect(text).toMatch(/[\u4e00-\u9fff]/);
      expect(errors, lang).toEqual([]);
      await page.close();
    }
  });

  it('an admin adds users, creates a dialogue project and imports dialogues the served model pre-annotates', async () => {
    const { page, errors } = await as('admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    for (const [name, role] of [
      ['ann1', 'annotator'],
      ['ann2', 'annotator'],
      ['rev1', 'reviewer'],
    ]) {
      await page.getByTestId('new-user-name').fill(name);
      await page.getByTestId('new-user-role').selectOption(role);
      await page.getByTestId('new-user-password').fill(PASSWORD);
      await page.getByTestId('new-user-add').click();
      await page.getByTestId(`user-${name}`).waitFor();
    }
    await page.getByTestId('project-name').fill('dialogues');
    await page.getByTestId('project-description').fill('rank and rewrite');
    await page.getByTestId('project-per-item').fill('2');
    // the template schema, with its message question made required
    const schema = JSON.parse(await page.getByTestId('project-schema').inputValue());
    schema.questions[0].required = true;
    await page.getByTestId('project-schema').fill(JSON.stringify(schema, null, 2));
    await page.getByTestId('project-create').click();
    await page.getByTestId('project-admin').waitFor();
    dialogueProject = Number(await page.getByTestId('project-admin').getAttribute('data-project'));
    for (const m of ['ann1', 'ann2', 'rev1']) await member(page, m);
    const jsonl = DIALOGUES.map((d) => JSON.stringify({ messages: [{ role: 'user', content: d.q }], candidates: [d.wrong, d.right] })).join(
      '\n',
    );
    await page.getByTestId('import-format').selectOption('openai');
    await page.getByTestId('import-jsonl').fill(jsonl);
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('import-result').getAttribute('data-imported')).toBe('3');
    // the endpoint and its model come from the Studio's --endpoint (the served tiny model)
    await expect.poll(() => page.getByTestId('pre-model').inputValue(), { timeout: 30_000 }).toBe('tool');
    await page.getByTestId('pre-count').fill('1');
    await page.getByTestId('pre-submit').click();
    const pre = page.getByTestId('pre-result');
    await pre.waitFor({ timeout: 120_000 });
    expect(await pre.getAttribute('data-updated')).toBe('3');
    expect(await pre.getAttribute('data-failed')).toBe('0');
    shots.push(await shot(page, 'label-admin-project'));
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('annotator 1 answers, ranks by dragging and rewrites with the mouse', async () => {
    const { page, errors } = await as('ann1');
    await page.getByTestId('annotate-link').click();
    for (let n = 0; n < DIALOGUES.length; n++) {
      await page.getByTestId('dialogue-view').waitFor();
      const ids = await candidateIds(page);
      const d = DIALOGUES.find((x) => ids[x.right])!;
      const model = Object.keys(ids).find((c) => c !== d.right && c !== d.wrong)!;
      expect(model, 'the model’s candidate').toBeDefined();
      expect(await page.getByTestId('submit').isDisabled()).toBe(true); // required questions first
      await page.getByTestId(`q-correct-${ids[d.wrong]}-no`).check();
      await page.getByTestId(`q-correct-${ids[d.right]}-yes`).check();
      await page.getByTestId(`q-correct-${ids[model]}-unsure`).check();
      await page.getByTestId('q-issues-conversation-wrong').check();
      // drag the right answer above the wrong one
      await page.getByTestId(`rank-${ids[d.right]}`).dragTo(page.getByTestId(`rank-${ids[d.wrong]}`));
      await expect
        .poll(() => page.getByTestId('ranking').getAttribute('data-order'))
        .toBe([ids[d.right], ids[d.wrong], ids[model]].join(','));
      await page.getByTestId('rewrite-of').selectOption(ids[d.right]);
      await page.getByTestId('rewrite-copy').click();
      await page.getByTestId('rewrite').press('End');
      await page.getByTestId('rewrite').pressSequentially('.');
      if (n === 0) shots.push(await shot(page, 'label-dialogue-mouse'));
      await page.getByTestId('submit').click();
      await expect.poll(() => page.getByTestId('queue-done').innerText()).toContain(`${n + 1} submitted`);
    }
    await page.getByTestId('queue-empty').waitFor();
    await page.getByTestId('my-tasks').locator('summary').click();
    await expect.poll(() => page.getByTestId('my-tasks').locator('tr[data-status=submitted]').count()).toBe(DIALOGUES.length);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('annotator 2 does the same with the keyboard only', async () => {
    const { page, errors } = await as('ann2');
    await page.goto(url(`label/projects/${dialogueProject}/annotate`));
    for (let n = 0; n < DIALOGUES.length; n++) {
      const view = page.getByTestId('dialogue-view');
      await view.waitFor();
      await expect.poll(() => page.evaluate('document.activeElement?.dataset?.testid')).toBe('dialogue-view');
      const ids = await candidateIds(page);
      const order = (await page.getByTestId('ranking').getAttribute('data-order'))!.split(',');
      const d = DIALOGUES.find((x) => ids[x.right])!;
      const k = page.keyboard;
      // one message question per candidate, in ranking (import) order: 1 yes, 2 no, 3 unsure
      for (const id of order) {
        expect(await view.getAttribute('data-active')).toBe(`q-correct-${id}`);
        await k.press(id === ids[d.right] ? '1' : id === ids[d.wrong] ? '2' : '3');
        await k.press('j');
      }
      await k.press('1'); // issues: factually wrong
      await k.press('ArrowDown');
      expect(await view.getAttribute('data-active')).toBe('q-note-conversation');
      await k.press('Enter'); // edit the note
      await k.type('checked by keyboard');
      await k.press('Escape');
      await k.press('j');
      expect(await view.getAttribute('data-active')).toBe('ranking');
      // the wrong answer is first (import order): Shift+J moves it below the right one
      await k.press('Shift+J');
      await expect
        .poll(() => page.getByTestId('ranking').getAttribute('data-order'))
        .toBe([ids[d.right], ids[d.wrong], order[2]].join(','));
      await k.press('j');
      await k.press('j');
      expect(await view.getAttribute('data-active')).toBe('rewrite');
      await k.press('Enter');
      await k.type(`${d.right}, as a rewrite.`);
      if (n === 0) shots.push(await shot(page, 'label-dialogue-keyboard'));
      await k.press('Control+Enter');
      await expect.poll(() => page.getByTestId('queue-done').innerText()).toContain(`${n + 1} submitted`);
    }
    await page.getByTestId('queue-empty').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('a reviewer approves; the progress page shows agreement; the SFT and DPO exports train', async () => {
    const { page, errors } = await as('rev1');
    await page.getByTestId('review-link').click();
    for (let n = 0; n < 2 * DIALOGUES.length; n++) {
      await page.getByTestId('review-task').waitFor();
      if (n === 0) {
        await page.getByTestId('review-comment').fill('right answer first, good rewrite');
        shots.push(await shot(page, 'label-review'));
      }
      await page.getByTestId('approve').click();
      await expect.poll(() => page.getByTestId('review-done').innerText()).toContain(`${n + 1} reviewed`);
    }
    await page.getByTestId('review-empty').waitFor();
    expect(errors).toEqual([]);
    await page.close();

    const admin = await as('admin');
    await admin.page.goto(url(`label/projects/${dialogueProject}/admin`));
    const progress = admin.page.getByTestId('progress');
    await expect.poll(() => progress.getAttribute('data-approved'), { timeout: 20_000 }).toBe('6');
    expect(await progress.getAttribute('data-complete')).toBe('3');
    // both annotators ranked the same way: Kendall's tau 1
    await expect.poll(() => admin.page.getByTestId('kendall').innerText(), { timeout: 20_000 }).toMatch(/τ-b 1 over 3 pair/);
    shots.push(await shot(admin.page, 'label-progress'));
    const sft = await download(admin.page, 'export-sft', join(root, 'sft.jsonl'));
    const dpo = await download(admin.page, 'export-dpo', join(root, 'dpo.jsonl'));
    expect(admin.errors).toEqual([]);
    await admin.page.close();

    const sftLines = sft
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(sftLines.length).toBeGreaterThanOrEqual(3);
    expect(sftLines.every((l) => Array.isArray(l.conversation))).toBe(true);
    const dpoLines = dpo
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // per dialogue: the approved rewrite (of the right answer) over each of the 3 candidates
    expect(dpoLines.length, dpo).toBe(3 * DIALOGUES.length);
    for (const d of DIALOGUES) {
      const mine = dpoLines.filter((l) => l.prompt.at(-1)?.content === d.q);
      expect(mine.map((l) => l.rejected).sort(), dpo).toContain(d.wrong);
      expect(
        mine.every((l) => l.chosen.startsWith(d.right)),
        dpo,
      ).toBe(true);
    }

    const train = { seq_len: 128, batch_size: 1, grad_accum: 1, steps: 2, lr: 1e-4, min_lr: 1e-5, warmup_steps: 0, seed: 1, threads: 1 };
    const cfg = (kind: string, data: string) => ({
      init_from: model.hf,
      data: { train: [data] },
      ...(kind === 'dpo' ? { dpo: { beta: 0.1 } } : {}),
      train,
      eval: { every: 100, batches: 1 },
      checkpoint: { every: 100, keep_last: 1 },
      output: { dir: join(root, `train-${kind}`), gguf: [] },
    });
    for (const kind of ['sft', 'dpo']) {
      const file = join(root, `${kind}.json`);
      await writeFile(file, JSON.stringify(cfg(kind, join(root, `${kind}.jsonl`))));
      const r = await run(['train', kind, file]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/^steps 2 /m);
    }
  }, 600_000);

  it('images: every canvas tool in image pixels, undo/redo, review, COCO export, and a re-import with the same annotations', async () => {
    const { page, errors } = await as('admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByTestId('project-name').fill('images');
    await page.getByTestId('project-kind').selectOption('image');
    await page.getByTestId('project-create').click();
    await page.getByTestId('project-admin').waitFor();
    const project = Number(await page.getByTestId('project-admin').getAttribute('data-project'));
    for (const m of ['ann1', 'rev1']) await member(page, m);
    const images = { 'red.png': await png(page, 320, 200, '#dc2626'), 'blue.png': await png(page, 240, 240, '#2563eb') };
    for (const [name, data] of Object.entries(images)) await writeFile(join(root, name), data);
    await page.getByTestId('image-files').setInputFiles(Object.keys(images).map((n) => join(root, n)));
    await page.getByTestId('image-upload').click();
    await expect.poll(() => page.getByTestId('import-result').getAttribute('data-imported')).toBe('2');
    expect(errors).toEqual([]);

    const ann = await as('ann1');
    await ann.page.goto(url(`label/projects/${project}/annotate`));
    const drawn: Record<string, unknown[]> = {};
    for (let n = 0; n < 2; n++) {
      const canvas = ann.page.getByTestId('image-canvas');
      await canvas.waitFor();
      const name = (await ann.page.getByTestId('image-task').getAttribute('data-image'))!;
      const stage = (await canvas.locator('.konvajs-content').boundingBox())!;
      const view = async () => JSON.parse((await canvas.getAttribute('data-view'))!) as { scale: number; x: number; y: number };
      /** Screen position of an image pixel under the current zoom and pan. */
      const at = async (x: number, y: number) => {
        const v = await view();
        return { x: stage.x + v.x + x * v.scale, y: stage.y + v.y + y * v.scale };
      };
      const click = async (x: number, y: number) => {
        const p = await at(x, y);
        await ann.page.mouse.click(p.x, p.y);
      };
      const m = ann.page.mouse;
      await ann.page.getByTestId('tool-rect').click();
      let p = await at(20, 30);
      await m.move(p.x, p.y);
      await m.down();
      p = await at(120, 90);
      await m.move(p.x, p.y, { steps: 4 });
      await m.up();
      await ann.page.getByTestId('canvas-label').selectOption('person');
      await ann.page.getByTestId('tool-polygon').click();
      for (const [x, y] of [
        [150, 20],
        [200, 20],
        [180, 80],
        [150, 20],
      ])
        await click(x, y);
      await ann.page.getByTestId('tool-line').click();
      await click(10, 150);
      await click(100, 170);
      await ann.page.keyboard.press('Enter');
      // zoom in about a point (wheel) before the point tool: coordinates stay in image pixels
      const z = await at(60, 60);
      await m.move(z.x, z.y);
      await m.wheel(0, -300);
      await expect.poll(async () => (await view()).scale).toBeGreaterThan(1);
      await ann.page.getByTestId('tool-point').click();
      await click(60, 60);
      await ann.page.getByTestId('tool-tag').click();
      await ann.page.getByTestId('canvas-label').selectOption('background');
      await ann.page.getByTestId('add-tag').click();
      // an extra point, undone, redone, then deleted
      await ann.page.getByTestId('tool-point').click();
      await click(30, 40);
      const count = async () => (JSON.parse((await canvas.getAttribute('data-shapes'))!) as unknown[]).length;
      expect(await count(), (await canvas.getAttribute('data-shapes'))!).toBe(6);
      await ann.page.keyboard.press('Control+z');
      expect(await count()).toBe(5);
      await ann.page.getByTestId('redo').click();
      expect(await count()).toBe(6);
      await ann.page.getByTestId('shape-list').locator('li').last().locator('button').click();
      await ann.page.keyboard.press('Delete');
      expect(await count()).toBe(5);
      const shapes = JSON.parse((await canvas.getAttribute('data-shapes'))!) as { kind: string }[];
      expect(shapes.map((s) => s.kind)).toEqual(['rect', 'polygon', 'line', 'point', 'tag']);
      expect(shapes[0]).toMatchObject({ kind: 'rect', label: 'object', x: 20, y: 30, width: 100, height: 60 });
      expect(shapes[1]).toMatchObject({
        kind: 'polygon',
        label: 'person',
        points: [
          { x: 150, y: 20 },
          { x: 200, y: 20 },
          { x: 180, y: 80 },
        ],
      });
      expect(shapes[3]).toMatchObject({ kind: 'point', x: 60, y: 60 });
      drawn[name] = shapes;
      if (n === 0) shots.push(await shot(ann.page, 'label-canvas'));
      await ann.page.getByTestId('submit').click();
      await expect.poll(() => ann.page.getByTestId('queue-done').innerText()).toContain(`${n + 1} submitted`);
    }
    expect(ann.errors).toEqual([]);
    await ann.page.close();

    // the reviewer rejects the first with a comment (reject needs one) and approves the second
    const rev = await as('rev1');
    await rev.page.goto(url(`label/projects/${project}/review`));
    await rev.page.getByTestId('image-canvas').waitFor();
    expect(await rev.page.getByTestId('reject').isDisabled()).toBe(true);
    await rev.page.getByTestId('review-comment').fill('check the line');
    await rev.page.getByTestId('reject').click();
    await expect.poll(() => rev.page.getByTestId('review-done').innerText()).toContain('1 reviewed');
    await rev.page.getByTestId('image-canvas').waitFor();
    await rev.page.getByTestId('approve').click();
    await expect.poll(() => rev.page.getByTestId('review-done').innerText()).toContain('2 reviewed');
    await rev.page.getByTestId('review-empty').waitFor();

    // the rejected task is back in the annotator's queue, with the shapes as submitted; sent again, then approved
    const back = await as('ann1');
    await back.page.goto(url(`label/projects/${project}/annotate`));
    const canvas = back.page.getByTestId('image-canvas');
    await canvas.waitFor();
    const name = (await back.page.getByTestId('image-task').getAttribute('data-image'))!;
    expect(JSON.parse((await canvas.getAttribute('data-shapes'))!)).toEqual(drawn[name]);
    // and the annotator is told why
    expect(await back.page.getByTestId('sent-back').innerText()).toContain('check the line');
    await back.page.getByTestId('submit').click();
    await back.page.getByTestId('queue-empty').waitFor();
    expect(back.errors).toEqual([]);
    await back.page.close();
    await rev.page.goto(url(`label/projects/${project}/review`));
    await rev.page.getByTestId('image-canvas').waitFor();
    await rev.page.getByTestId('approve').click();
    await rev.page.getByTestId('review-empty').waitFor();
    expect(rev.errors).toEqual([]);
    await rev.page.close();

    // COCO out, then in again (as the archive's annotations.json) into a new project
    await page.goto(url(`label/projects/${project}/admin`));
    const coco = await download(page, 'export-coco', join(root, 'coco.json'));
    const archive = await zip({ ...images, 'annotations.json': Buffer.from(coco) });
    await writeFile(join(root, 'reimport.zip'), archive);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByTestId('project-name').fill('images-again');
    await page.getByTestId('project-kind').selectOption('image');
    await page.getByTestId('project-create').click();
    await page.getByTestId('project-admin').waitFor();
    const again = Number(await page.getByTestId('project-admin').getAttribute('data-project'));
    await page.getByTestId('image-files').setInputFiles(join(root, 'reimport.zip'));
    await page.getByTestId('image-upload').click();
    await expect.poll(() => page.getByTestId('import-result').getAttribute('data-imported')).toBe('2');
    shots.push(await shot(page, 'label-reimport'));
    // the re-imported pre-annotations, read back through the API, equal what was drawn (ids aside)
    const items = (await (await page.request.get(url(`api/label/projects/${again}/items`))).json()) as {
      items: { id: number }[];
    };
    const strip = (list: unknown[]) => list.map((s) => ({ ...(s as Record<string, unknown>), id: undefined }));
    const { fromApiShape } = await import('../src/pages/label/canvas/apiShapes.js');
    for (const { id } of items.items) {
      const { item } = (await (await page.request.get(url(`api/label/items/${id}`))).json()) as {
        item: { data: { file: { name: string }; preAnnotations: Parameters<typeof fromApiShape>[0][] } };
      };
      expect(strip(item.data.preAnnotations.map(fromApiShape)), item.data.file.name).toEqual(strip(drawn[item.data.file.name]));
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);
});
