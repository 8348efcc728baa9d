import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandPath, needsNativeCpu } from './doctor.js';

describe('which commands get the native ggml CPU backend before they run', () => {
  it('names a sub-command by its path below the program', () => {
    const program = new Command('puyu');
    const train = program.command('train');
    const pretrain = train.command('pretrain');
    const lora = train.command('lora');
    const loraMerge = lora.command('merge');
    expect(commandPath(pretrain)).toBe('train pretrain');
    expect(commandPath(loraMerge)).toBe('train lora merge');
    expect(commandPath(program.command('serve'))).toBe('serve');
  });

  it('is serve, quantize, quickstart and training; not the pure-TS commands or doctor itself', () => {
    for (const p of ['serve', 'quantize', 'quickstart', 'train pretrain', 'train sft', 'train dpo', 'train lora'])
      expect(needsNativeCpu(p)).toBe(true);
    for (const p of ['tokenizer train', 'model inspect', 'eval run', 'doctor', 'data run', 'train']) expect(needsNativeCpu(p)).toBe(false);
  });
});
