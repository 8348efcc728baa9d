/**
 * The quickstart's sizes. `full` makes a tiny chat model that calls the calculator (within a quarter
 * hour on one core); `fast` runs every stage at toy size (about a minute) to show the chain works,
 * and its model is not expected to answer anything.
 */
export interface QuickstartProfile {
  name: 'full' | 'fast';
  tokenizer: { vocabSize: number };
  pretrain: { steps: number; seqLen: number; batchSize: number; generatedDocs: number; evalEvery: number; checkpointEvery: number };
  sft: { steps: number; dialogues: number; heldout: number; evalEvery: number; checkpointEvery: number };
  eval: { calculatorItems: number; gsm8kItems: number; needleLengths: number[]; needleDepths: number[] };
}

/** The name the quickstart serves its model under (eval, serve, the agent). */
export const SERVED_MODEL = 'puyu-quickstart';

/** InternLM2 at 1.3M parameters: GQA 4/2, the shipped recipes' shape. */
export const QUICKSTART_MODEL = {
  hidden_size: 128,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  intermediate_size: 384,
  max_position_embeddings: 512,
} as const;

export const PROFILES: Record<QuickstartProfile['name'], QuickstartProfile> = {
  full: {
    name: 'full',
    tokenizer: { vocabSize: 2048 },
    // Sized to the 15-minute budget on one core. A tool call is a copy (the question's numbers into
    // the call, the result into the answer), and copying forms as a late phase change: on word
    // drills from scratch the held-out loss leaves its plateau near step 1,600 (packages/train/README.md,
    // "Tool use"), so most of the budget goes to pretraining.
    pretrain: { steps: 3000, seqLen: 128, batchSize: 8, generatedDocs: 120000, evalEvery: 300, checkpointEvery: 300 },
    sft: { steps: 1000, dialogues: 20000, heldout: 200, evalEvery: 200, checkpointEvery: 200 },
    eval: { calculatorItems: 200, gsm8kItems: 50, needleLengths: [400], needleDepths: [0, 50, 100] },
  },
  fast: {
    name: 'fast',
    tokenizer: { vocabSize: 2048 },
    pretrain: { steps: 60, seqLen: 128, batchSize: 8, generatedDocs: 2000, evalEvery: 30, checkpointEvery: 30 },
    sft: { steps: 30, dialogues: 300, heldout: 20, evalEvery: 15, checkpointEvery: 15 },
    eval: { calculatorItems: 10, gsm8kItems: 5, needleLengths: [300], needleDepths: [50] },
  },
};
