import { defineErrorCodes } from '@puyu/core';

/** The error codes @puyu/train throws (see docs/errors.md and @puyu/core's defineErrorCodes). */
export const TRAIN_ERROR_PREFIXES = ['TRAIN_', 'CHECKPOINT_'] as const;

export const TRAIN_ERROR_CODES = defineErrorCodes('@puyu/train', TRAIN_ERROR_PREFIXES, {
  // training data
  TRAIN_DATA_NOT_FOUND: {
    meaning: 'A training data file (or a file the run fingerprints) cannot be read.',
    action: 'Check the data paths in the config (relative to the config file).',
  },
  TRAIN_DATA_FORMAT: {
    meaning: 'A training data file has an extension the loader does not know.',
    action: 'Use .ptok token shards, .txt / .md text or .jsonl.',
  },
  TRAIN_BAD_JSONL: {
    meaning: 'A .jsonl training line has no string field of the configured name.',
    action: 'Set data.text_field to the field that holds the text.',
  },
  TRAIN_NEED_TOKENIZER: {
    meaning: 'Text training data was given but the config names no tokenizer.',
    action: 'Set "tokenizer" in the config, or pre-tokenize the data into .ptok shards.',
  },
  TRAIN_DATA_EMPTY: {
    meaning: 'The training data holds no documents.',
    action: 'Check the data files are not empty.',
  },
  TRAIN_DATA_TOO_SMALL: {
    meaning: 'The training data has fewer tokens than one row of seq_len + 1.',
    action: 'Add data or lower seq_len.',
  },
  TRAIN_VOCAB_MISMATCH: {
    meaning: "The data or tokenizer vocabulary does not fit the model's vocab_size.",
    action: 'Tokenize with the model’s tokenizer, or use a model whose vocab_size matches it.',
  },
  // run set-up and control
  TRAIN_SEQ_TOO_LONG: {
    meaning: 'seq_len exceeds the model’s max_position_embeddings.',
    action: 'Lower seq_len or raise max_position_embeddings.',
  },
  TRAIN_OUT_OF_MEMORY: {
    meaning: 'The run is estimated to need more memory than memory_limit_gb allows.',
    action: 'Lower batch_size or seq_len (grad_accum keeps the effective batch), shrink the model, or raise memory_limit_gb.',
  },
  TRAIN_OUTPUT_EXISTS: {
    meaning: 'output.dir already holds checkpoints of an earlier run.',
    action: 'Pass --resume to continue it, or choose another output.dir.',
  },
  TRAIN_RESUME_CHANGED: {
    meaning: 'The checkpoint was trained with another config or data than this run (or its fingerprint is unreadable).',
    action: 'Restore the settings and files the message lists to resume, or start a new run in another output.dir.',
  },
  TRAIN_STOPPED: {
    meaning: 'Training stopped after the number of steps asked for (a planned stop, not a failure).',
    action: 'Run again with --resume to continue.',
  },
  TRAIN_FAILED: {
    meaning: 'The training process failed with an error that is not a Puyu error (a bug).',
    action: 'Rerun with PUYU_DEBUG=1 and report the child stack in the error details.',
  },
  TRAIN_NO_RESULT: {
    meaning: 'The training process ended without reporting a result.',
    action: 'Check the output above for a crash; rerun, and report it if it repeats.',
  },
  TRAIN_METRICS_UNREADABLE: {
    meaning: "The run's metrics.jsonl exists but cannot be read.",
    action: 'Check the permissions of output.dir/metrics.jsonl.',
  },
  // the ggml graph
  TRAIN_EMPTY_LOSS: {
    meaning: 'Every loss weight in a batch is 0, so there is nothing to learn from.',
    action: 'Check the loss mask: at least one target per batch must count.',
  },
  TRAIN_GRAPH_BAD_BATCH: {
    meaning: 'A batch given to the ggml model is empty or has rows of unequal length.',
    action: 'A bug in the caller: pass non-empty rows of equal length.',
  },
  TRAIN_GRAPH_TOKEN_RANGE: {
    meaning: 'A token id given to the ggml model is outside the vocabulary.',
    action: 'Tokenize with the model’s tokenizer, or fix vocab_size.',
  },
  TRAIN_GRAPH_NO_TENSOR: {
    meaning: 'The weights lack a parameter tensor the ggml model needs.',
    action: 'Load weights that belong to this model config.',
  },
  TRAIN_GRAPH_BAD_SHAPE: {
    meaning: "A weight tensor holds a different number of values than the model's tensor.",
    action: 'Load weights that belong to this model config.',
  },
  TRAIN_PRECISION_UNSUPPORTED: {
    meaning: 'bf16 mixed precision was asked for with a backward or backend that cannot run it (OUT_PROD backward, the BLAS backend).',
    action: "Train with precision fp32, or drop backwardMatmul 'out_prod' / PUYU_GGML_BLAS.",
  },
  TRAIN_REPLICAS_UNSUPPORTED: {
    meaning: 'train.replicas above 1 was set for a method that trains one model copy (LoRA, DPO).',
    action: 'Set train.replicas to 1 or remove it; data-parallel replicas are for pretraining and full SFT.',
  },
  TRAIN_BAD_REPLICAS: {
    meaning: 'A data-parallel model was asked for with fewer than 2 replicas.',
    action: 'Use 2 or more replicas, or train with one model (train.replicas 1).',
  },
  TRAIN_REPLICA_FAILED: {
    meaning: "A data-parallel replica's step failed on its worker thread (the message is the replica's own error).",
    action: 'Fix what the message names; to rule the replicas out, train with train.replicas 1.',
  },
  TRAIN_GRAPH_ALLOC_FAILED: {
    meaning: 'ggml could not allocate the model parameters or a compute graph (out of memory).',
    action: 'Lower batch_size or seq_len, shrink the model, or free memory.',
  },
  TRAIN_GRAPH_COMPUTE_FAILED: {
    meaning: 'ggml reported a failure while computing the graph.',
    action: 'Rerun with --threads 1; report it with the status in the message if it repeats.',
  },
  // calculator SFT data (sft/calculator)
  TRAIN_CALC_SYNTAX: {
    meaning: 'A calculator expression cannot be parsed (unknown character, unbalanced parenthesis, empty or too long).',
    action: 'Write the expression with numbers, + - * /, parentheses and unary minus only.',
  },
  TRAIN_CALC_DIV_ZERO: {
    meaning: 'A calculator expression divides by zero or overflows, so it has no finite value.',
    action: 'Change the expression; the generator never produces such expressions, so in model output it counts as a wrong call.',
  },
  TRAIN_CALC_BAD_OPTIONS: {
    meaning: 'The calculator data generator was given invalid options (counts, shares or seed).',
    action: 'Pass a non-negative integer train count, an integer seed and shares between 0 and 1.',
  },
  // LoRA (lora/)
  TRAIN_LORA_BAD_SETTINGS: {
    meaning: 'The lora block of a config cannot be used as given (no target modules).',
    action: 'Name at least one of wqkv, wo, w1, w2, w3 in lora.target_modules.',
  },
  TRAIN_LORA_BAD_ADAPTER: {
    meaning: 'An adapter folder is not a PEFT LoRA of this base model (unreadable, unsupported options, missing or misshapen tensors).',
    action: 'Point --adapter at the adapter/ folder of a LoRA run trained on this base (plain LoRA: no DoRA, rsLoRA or biases).',
  },
  // SFT dialogue data (sft/data): per-line problems are reported as data, not thrown
  TRAIN_SFT_BAD_JSON: {
    meaning: 'A line of an SFT .jsonl file is not valid JSON (the line is skipped and listed in the report).',
    action: 'Fix or delete that line; one JSON object per line.',
  },
  TRAIN_SFT_BAD_SHAPE: {
    meaning:
      'An SFT line is JSON but not a known dialogue shape (XTuner conversation, OpenAI messages, Alpaca) or has a field of the wrong type.',
    action:
      'Write {"conversation": [{"input", "output"}]}, {"messages": [...]} or {"instruction", "output"}, or pick the format option that matches.',
  },
  TRAIN_SFT_NO_ASSISTANT: {
    meaning: 'An SFT dialogue has no assistant turn (or no output) to learn from.',
    action: 'Add the assistant reply, or drop the line.',
  },
  TRAIN_SFT_BAD_TOOL: {
    meaning: 'An SFT dialogue has a tool call or tool list that cannot be rendered (arguments that are not JSON, no name, unknown role).',
    action: 'Give every tool call a function name and JSON-object arguments, and tool results role "tool".',
  },
  TRAIN_SFT_TOO_LONG: {
    meaning: 'An SFT dialogue has more tokens than the sequence length allows and overflow is "skip".',
    action: 'Raise seq_len, set overflow to "truncate", or shorten the dialogue.',
  },
  TRAIN_SFT_NO_CHAT_TOKENS: {
    meaning: 'The tokenizer has no single-token InternLM2 chat markers (<|im_start|>, <|im_end|>, …), so turns cannot be masked exactly.',
    action: 'Use an InternLM2 tokenizer folder (tokenizer.model + tokenizer_config.json) or a tokenizer trained with the chat markers.',
  },
  TRAIN_SFT_BAD_OPTIONS: {
    meaning: 'The SFT reader, tokenizer or batcher was given invalid options (format, lengths, batch size, seed or resume state).',
    action: 'Pass a known format, positive integer lengths and batch size, an integer seed, and a state saved by the same batcher.',
  },
  TRAIN_SFT_NO_EXAMPLES: {
    meaning: 'The SFT batcher was given no tokenized dialogues (every line was skipped or the file is empty).',
    action: 'Check the skipped-lines report and the data file.',
  },
  TRAIN_PRETRAIN_NO_INIT: {
    meaning: "The pretraining config's init_from is not an HF InternLM2 folder (no config.json there).",
    action:
      'Make the folder with the commands the message lists (the shipped recipes chain: quickstart → pretrain-copy → pretrain-calculator), or point init_from at an HF InternLM2 folder.',
  },
  TRAIN_SFT_NO_INIT: {
    meaning: "The SFT config's init_from is not an HF InternLM2 folder (no config.json there).",
    action:
      'Make the folder with the commands the message lists (the shipped recipes chain: quickstart → pretrain-copy → pretrain-calculator → sft-calculator), or point init_from at an HF InternLM2 folder.',
  },
  // DPO (preference pairs)
  TRAIN_DPO_BAD_JSON: {
    meaning: 'A preference .jsonl line is not valid JSON (the line is skipped and listed in skipped.jsonl).',
    action: 'Fix or remove that line; the run report names it by line number.',
  },
  TRAIN_DPO_BAD_SHAPE: {
    meaning: 'A preference line is not {prompt, chosen, rejected} with a text or messages prompt and assistant replies (skipped).',
    action: 'Give prompt as text or OpenAI messages, and chosen / rejected as text or an assistant message.',
  },
  TRAIN_DPO_BAD_TOOL: {
    meaning: "A preference line's tool calls or tools cannot be rendered in InternLM2's plugin protocol (skipped).",
    action: 'Give tool calls as OpenAI tool_calls with JSON arguments, and tools as OpenAI function tools.',
  },
  TRAIN_DPO_SAME_REPLY: {
    meaning: 'A preference line has the same chosen and rejected reply, so there is nothing to prefer (skipped).',
    action: 'Fix the pair or remove it.',
  },
  TRAIN_DPO_TOO_LONG: {
    meaning: 'A preference pair is longer than seq_len + 1 tokens (skipped: a cut reply would compare different spans).',
    action: 'Raise train.seq_len, or shorten the prompt.',
  },
  TRAIN_DPO_BAD_OPTIONS: {
    meaning: 'The DPO batcher got invalid options or a checkpoint state that does not fit the data.',
    action: 'Check train.batch_size and seq_len; resume only with the data the checkpoint was trained on.',
  },
  TRAIN_DPO_NO_PAIRS: {
    meaning: 'No preference pair is left to train on (every line was skipped, or the file is empty).',
    action: 'Check the skipped-lines report (output.dir/skipped.jsonl) and the data file.',
  },
  TRAIN_DPO_NO_INIT: {
    meaning: "The DPO config's init_from is not an HF InternLM2 folder (no config.json there).",
    action:
      'Make the folder with the commands the message lists (for recipes/dpo-calculator.json: the calculator chain ending in npx puyu train sft recipes/sft-calculator.json), or point init_from at an HF InternLM2 folder.',
  },
  // checkpoints
  CHECKPOINT_CORRUPT: {
    meaning: 'A checkpoint folder is unusable (unreadable files, bad manifest or trainer state).',
    action: 'Delete that checkpoint folder to resume from the previous one, or start over.',
  },
  CHECKPOINT_MISMATCH: {
    meaning: 'A checkpoint does not fit this model or data (missing tensors, other shapes, or another data epoch).',
    action: 'Resume with the model config and data it was trained with, or start a new run in another output.dir.',
  },
});

export type TrainErrorCode = keyof typeof TRAIN_ERROR_CODES;
