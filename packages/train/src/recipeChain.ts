/**
 * How each shipped recipe's starting folder is made, so a run whose `init_from` is missing can
 * say which commands write it. The calculator chain is long because a tiny model must first
 * learn to copy (see sft/calculator/toolCorpus.ts): quickstart → copy drills → calculator text → SFT.
 */
const CHAIN: { output: string; commands: string[] }[] = [
  { output: 'runs/quickstart/pretrain/hf', commands: ['npx puyu quickstart'] },
  { output: 'runs/pretrain-copy/hf', commands: ['npx puyu quickstart', 'npx puyu train pretrain recipes/pretrain-copy.json'] },
  {
    output: 'runs/pretrain-calculator/hf',
    commands: [
      'npx puyu quickstart',
      'npx puyu train pretrain recipes/pretrain-copy.json',
      'npx puyu train pretrain recipes/pretrain-calculator.json',
    ],
  },
  {
    output: 'runs/sft-calculator/hf',
    commands: [
      'npx puyu quickstart',
      'npx puyu train pretrain recipes/pretrain-copy.json',
      'npx puyu train pretrain recipes/pretrain-calculator.json',
      'npx puyu train sft recipes/sft-calculator.json',
    ],
  },
];

/** "Make it with: a, then b" for a known recipe output, else advice to point init_from elsewhere. */
export function howToMakeInit(initFrom: string): string {
  const normal = initFrom.replace(/\\/g, '/').replace(/\/+$/, '');
  const step = CHAIN.find((c) => normal.endsWith(c.output));
  const elsewhere = 'or point init_from at an HF InternLM2 folder';
  return step ? `Make it with: ${step.commands.join(', then ')}; ${elsewhere}.` : `Train or export one there first, ${elsewhere}.`;
}
