import { defineErrorCodes } from '@puyu/core';

/** The error codes the `puyu` command throws itself (see docs/errors.md and @puyu/core's defineErrorCodes). */
export const CLI_ERROR_PREFIXES = ['CLI_', 'QUICKSTART_'] as const;

export const CLI_ERROR_CODES = defineErrorCodes('@puyu/cli', CLI_ERROR_PREFIXES, {
  CLI_USAGE: {
    meaning: 'The command line does not parse: an unknown command or option, or a missing argument.',
    action: 'Check the command with --help.',
  },
  CLI_BAD_OPTION: {
    meaning: 'An option has a value out of its range or not among its choices.',
    action: 'Use a value the message lists (see --help).',
  },
  CLI_MISSING_OPTION: {
    meaning: 'An option the command needs was not given.',
    action: 'Add the option the message names (or name it in the CONFIG file).',
  },
  CLI_INPUT_NOT_FOUND: {
    meaning: 'The input file does not exist.',
    action: 'Check the path.',
  },
  CLI_BAD_DATA: {
    meaning: 'A data file the command reads is empty or has lines it cannot use (each is named by line number).',
    action: 'Fix or regenerate the file; for `puyu eval calculator`, use the heldout.jsonl that `puyu train sft` wrote.',
  },
  CLI_OUTPUT_EXISTS: {
    meaning: 'The output file already exists.',
    action: 'Pass --force to overwrite it, or choose another output.',
  },
  CLI_NO_TOKENIZER: {
    meaning: '`puyu model init` has no tokenizer to size the vocabulary from.',
    action: 'Pass --vocab-from TOKENIZER.model, or --vocab N for a byte-level vocabulary.',
  },
  CLI_BAD_PREDICTIONS: {
    meaning: 'A predictions file names a sample that is not in the dataset.',
    action: 'Check --dataset matches the predictions.',
  },
  QUICKSTART_NO_TOKENIZER: {
    meaning: 'The default tokenizer shipped with Puyu (packages/model/assets/puyu-tiny.model) is missing.',
    action: 'Reinstall Puyu.',
  },
});

export type CliErrorCode = keyof typeof CLI_ERROR_CODES;
