import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { howToMakeInit } from './recipeChain.js';

describe('howToMakeInit', () => {
  it('names the commands that make a shipped recipe’s starting folder, in order', () => {
    expect(howToMakeInit('/x/runs/pretrain-calculator/hf/')).toBe(
      'Make it with: npx puyu quickstart, then npx puyu train pretrain recipes/pretrain-copy.json, then npx puyu train pretrain recipes/pretrain-calculator.json; or point init_from at an HF InternLM2 folder.',
    );
    expect(howToMakeInit('C:\\repo\\runs\\quickstart\\pretrain\\hf')).toMatch(/^Make it with: npx puyu quickstart; /);
    expect(howToMakeInit('/elsewhere/model')).toBe('Train or export one there first, or point init_from at an HF InternLM2 folder.');
  });

  it('follows the recipes as shipped: each one starts where the previous one writes', () => {
    const recipe = (name: string) =>
      JSON.parse(readFileSync(join(REPO_ROOT, 'recipes', name), 'utf8')) as { init_from: string; output: { dir: string } };
    const chain = ['pretrain-copy.json', 'pretrain-calculator.json', 'sft-calculator.json', 'dpo-calculator.json'].map(recipe);
    expect(chain[0]?.init_from).toBe('../runs/quickstart/pretrain/hf');
    for (let i = 1; i < chain.length; i++) expect(chain[i]?.init_from).toBe(`${chain[i - 1]?.output.dir}/hf`);
  });
});
