/**
 * One fine-tuning run of ours, exactly as `puyu train sft|lora` runs it (the method on the shared
 * loop, in this process), quiet; then prints one JSON line: each step's wall time (from the loop's
 * own metrics: data, ggml forward + backward, clip, AdamW, upload), the losses, and this process's
 * peak RSS. Child of run.ts:
 *
 *   tsx --conditions=source bench/finetune/oursPeer.ts sft|lora <config.json>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as train from '@puyu/train';

const [method, configPath] = process.argv.slice(2);
const rssBefore = process.memoryUsage().rss;
let out: string;
if (method === 'sft') {
  const cfg = await train.loadSftConfig(configPath);
  out = cfg.output.dir;
  await train.sft(cfg, { quiet: true });
} else {
  // LoRA is reached by name so this bench builds before and after `lora` joins @puyu/train's exports
  const t = train as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>;
  if (!t.loadLoraConfig || !t.lora) throw new Error('this build of @puyu/train has no lora method');
  const cfg = (await t.loadLoraConfig(configPath)) as { output: { dir: string } };
  out = cfg.output.dir;
  await t.lora(cfg, { quiet: true });
}
const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { loss: number; tokens: number; tokens_per_s: number });
const perStep = rows[0].tokens;
process.stdout.write(
  `${JSON.stringify({
    peer: method,
    stepMs: rows.map((r) => (perStep * 1000) / r.tokens_per_s),
    tokensPerStep: perStep,
    losses: rows.map((r) => r.loss),
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    startRssMB: rssBefore / 2 ** 20,
  })}\n`,
);
