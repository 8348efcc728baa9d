import { defineErrorCodes } from '@puyu/core';

/** The error codes @puyu/data throws (see docs/errors.md and @puyu/core's defineErrorCodes). */
export const DATA_ERROR_PREFIXES = ['DATA_'] as const;

export const DATA_ERROR_CODES = defineErrorCodes('@puyu/data', DATA_ERROR_PREFIXES, {
  DATA_BAD_PIPELINE: {
    meaning: 'A pipeline YAML file is not valid: an unknown operator, reader or writer, or a field of the wrong type.',
    action: 'Fix the field the message names; packages/data/README.md lists every operator and its options.',
  },
  DATA_BAD_OPTION: {
    meaning: 'A dedup or operator option is out of range (n-gram size, permutations, threshold, bands × rows).',
    action: 'Pass a value inside the range the message gives.',
  },
  DATA_BAD_SHARD: {
    meaning: 'A --shard value is not i/N with 0 ≤ i < N.',
    action: 'Write the shard as INDEX/COUNT, e.g. --shard 3/16 (Slurm: $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT).',
  },
  DATA_UNKNOWN_FORMAT: {
    meaning: 'An input file has an extension no reader handles, and its first bytes are not a PDF or DOCX.',
    action:
      'Name the reader in the pipeline (format: jsonl|text|parquet|html|pdf|docx) or rename the file (.jsonl, .jsonl.gz, .jsonl.zst, .txt, .parquet, .html, .pdf, .docx).',
  },
  DATA_NO_INPUT: {
    meaning: 'The input paths or globs of a pipeline match no file.',
    action: 'Check the paths in the pipeline file; they are relative to the pipeline file.',
  },
  DATA_OUTPUT_EXISTS: {
    meaning: 'The output file exists and would be overwritten.',
    action: 'Remove it or pass --force.',
  },
  DATA_BAD_BENCHMARK: {
    meaning: 'A decontamination benchmark file could not be read as JSONL or Parquet rows with text fields.',
    action: 'Point decontaminate.benchmarks at JSONL files (GSM8K test.jsonl, MMLU rows) or list the fields to read.',
  },
  DATA_CLASSIFIER_DATA: {
    meaning: 'The quality classifier has no labelled examples of one class.',
    action: 'Give at least one good and one bad example file (JSONL with a text field or plain text, one per line).',
  },
  DATA_SCORING_FAILED: {
    meaning: 'A model endpoint did not return log-probabilities for perplexity scoring.',
    action: 'Use a completions endpoint that supports echo with logprobs (puyu serve, vLLM), or drop the perplexity operator.',
  },
  DATA_BAD_SIGNATURES: {
    meaning: 'A MinHash signature file is truncated or was made with other parameters.',
    action: 'Recompute the signatures of that shard with the same n-gram size, permutations and seed.',
  },
});

export type DataErrorCode = keyof typeof DATA_ERROR_CODES;
