import { defineErrorCodes } from '@puyu/core';

/** The error codes @puyu/eval throws or records (see docs/errors.md and @puyu/core's defineErrorCodes). */
export const EVAL_ERROR_PREFIXES = ['EVAL_', 'JUDGE_', 'NEEDLE_'] as const;

export const EVAL_ERROR_CODES = defineErrorCodes('@puyu/eval', EVAL_ERROR_PREFIXES, {
  // run configuration
  EVAL_DUPLICATE_MODEL: {
    meaning: 'Two models of a run have the same label.',
    action: 'Give one of them a "name".',
  },
  EVAL_DUPLICATE_DATASET: {
    meaning: 'A dataset is listed twice with the same inferencer.',
    action: 'Remove the duplicate or give each entry a different inferencer.',
  },
  EVAL_API_KEY_MISSING: {
    meaning: 'A model names an apiKeyEnv variable that is not set.',
    action: 'Export that environment variable, or drop apiKeyEnv.',
  },
  EVAL_UNKNOWN_DATASET: {
    meaning: 'No dataset of that name is registered.',
    action: 'Use one of the names the message lists.',
  },
  EVAL_BAD_INFERENCER: {
    meaning: 'The inferencer does not fit the dataset (ppl needs a multiple-choice dataset).',
    action: 'Use gen (or scN) for this dataset.',
  },
  EVAL_UNKNOWN_RETRIEVER: {
    meaning: 'The few-shot retriever is unknown.',
    action: 'Use zero, fixed, random or bm25.',
  },
  EVAL_BAD_SHOTS: {
    meaning: 'The few-shot count k is not an integer.',
    action: 'Set k to a whole number.',
  },
  EVAL_UNKNOWN_RULE: {
    meaning: 'The answer-extraction rule is unknown.',
    action: 'Use one of the rules the message lists.',
  },
  // benchmark data
  EVAL_DATA_MISSING: {
    meaning: "A dataset's files are not under the data root.",
    action: 'Get the public release the message names and pass the folder that contains it as --data-root.',
  },
  EVAL_BAD_RECORD: {
    meaning: 'A dataset file holds a record of the wrong shape.',
    action: 'Check the file is the unmodified public release.',
  },
  EVAL_UNKNOWN_SUBSET: {
    meaning: 'A requested subset is not in the dataset.',
    action: 'Use the subset names the message lists.',
  },
  EVAL_BAD_LIMIT: {
    meaning: 'The sample limit is not a non-negative integer.',
    action: 'Pass a whole number ≥ 0.',
  },
  EVAL_NO_ANSWERS: {
    meaning: 'The C-Eval split has no answer column (test answers are not public).',
    action: 'Use --split val, or submit test predictions to cevalbenchmark.com.',
  },
  // scoring
  EVAL_BAD_PREDICTION: {
    meaning: 'A predictions line is not {"id": string, "output": string}.',
    action: 'Fix the line the message names.',
  },
  EVAL_PREDICTIONS_MISSING: {
    meaning: 'The predictions file (or OpenCompass predictions folder) does not exist or holds no file of the dataset.',
    action: 'Pass a predictions .jsonl, an OpenCompass <abbr>.json / <abbr>_0.json, or a predictions/<model>/ folder.',
  },
  EVAL_PREDICTIONS_EMPTY: {
    meaning: 'A predictions file holds no predictions.',
    action: 'Rerun the inference that writes it, or leave the file out.',
  },
  EVAL_DUPLICATE_PREDICTION_IDS: {
    meaning: 'A predictions file names the same sample twice (a JSONL id, or an OpenCompass key).',
    action: 'Keep one prediction per sample; several generations go in "outputs" (a list "prediction" in OpenCompass files).',
  },
  EVAL_UNKNOWN_PREDICTION_FILE: {
    meaning: 'An OpenCompass prediction file is not named after one of the dataset’s abbrs (e.g. lukaemon_mmlu_anatomy.json).',
    action: 'Check --dataset and --split, or rename the file to its OpenCompass dataset abbr.',
  },
  EVAL_LAYOUT_CONFLICT: {
    meaning: 'Two entries of one dataset (e.g. mmlu and mmlu:ppl) would write the same OpenCompass prediction files.',
    action: 'Run them into separate --out folders, or drop --opencompass-layout.',
  },
  EVAL_UNKNOWN_PREDICTION_IDS: {
    meaning: 'Predictions have ids that are not samples of the dataset.',
    action: 'Check --dataset, --split and --subsets (circular ids need --circular).',
  },
  EVAL_NOT_MCQ: {
    meaning: 'Circular evaluation was asked for a sample without options.',
    action: 'Use circular evaluation on multiple-choice datasets only.',
  },
  EVAL_BAD_GOLD: {
    meaning: 'A multiple-choice sample’s gold answer is not one of its option labels.',
    action: 'Fix the sample’s gold (A, B, C, …).',
  },
  EVAL_NOT_CIRCULAR: {
    meaning: 'A sample scored circularly was not expanded with circularExpand.',
    action: 'Expand the dataset with circularExpand first.',
  },
  EVAL_NOT_HUMANEVAL: {
    meaning: 'A sample given to the HumanEval evaluator has no meta.test / meta.entryPoint.',
    action: 'Use the HumanEval evaluator on HumanEval samples only.',
  },
  EVAL_SANDBOX_SPAWN: {
    meaning: 'The Python sandbox for code evaluation could not start.',
    action: 'Install python3 or pass its path as `python`.',
  },
  EVAL_NO_CHOICES: {
    meaning: 'PPL inference was asked for a sample without options (recorded on the sample).',
    action: 'Use gen inference for this dataset.',
  },
  // runs and reports
  EVAL_NOT_A_RUN: {
    meaning: 'A folder given to the leaderboard has no run.json.',
    action: 'Pass folders written by `puyu eval run`.',
  },
  EVAL_RUN_UNFINISHED: {
    meaning: 'A run given to the leaderboard did not finish.',
    action: 'Rerun it to resume, then build the leaderboard.',
  },
  JUDGE_NO_RATING: {
    meaning: 'The judge model’s answer has no [[1-10]] rating (recorded on the item).',
    action: 'Use a stronger judge model or rerun; the judgement text is kept.',
  },
  NEEDLE_HAYSTACK_MISSING: {
    meaning: 'The NeedleBench haystack path does not exist.',
    action: 'Pass a folder of .txt essays (English) or a text file of blank-line-separated documents (Chinese).',
  },
  NEEDLE_HAYSTACK_EMPTY: {
    meaning: 'The NeedleBench haystack holds no text.',
    action: 'Point at non-empty essays or documents.',
  },
});

export type EvalErrorCode = keyof typeof EVAL_ERROR_CODES;
