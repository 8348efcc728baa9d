import { spawnSync } from 'node:child_process';

/**
 * The Python `sentencepiece` oracle (Debian's python3-sentencepiece, 0.1.97), run
 * as a child process. Only tests and fixture generators use it; `available()` says
 * why it cannot run, so callers can skip with a reason.
 */
export const PYTHON = '/usr/bin/python3';

export function pythonSpmUnavailable(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import sentencepiece; print(sentencepiece.__version__)'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} cannot run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} lacks the sentencepiece module (apt-get install python3-sentencepiece)`;
  return undefined;
}

function runPython(script: string, input: unknown): unknown {
  const r = spawnSync(PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`python sentencepiece failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const ENCODE = `
import sys, json, sentencepiece as spm
a = json.load(sys.stdin)
sp = spm.SentencePieceProcessor(model_file=a['model'])
print(json.dumps([sp.encode(t) for t in a['lines']]))
`;

/** Python's ids for each line with the given .model file. */
export function pythonEncode(modelPath: string, lines: string[]): number[][] {
  return runPython(ENCODE, { model: modelPath, lines }) as number[][];
}

const TRAIN = `
import sys, json, sentencepiece as spm
a = json.load(sys.stdin)
spm.SentencePieceTrainer.train(input=a['input'], model_prefix=a['prefix'], model_type='bpe',
  normalization_rule_name='identity', num_threads=1, minloglevel=2, **a['flags'])
sp = spm.SentencePieceProcessor(model_file=a['prefix'] + '.model')
print(json.dumps([[sp.id_to_piece(i), sp.get_score(i)] for i in range(sp.get_piece_size())]))
`;

/** Trains the reference BPE on a text file; returns its [piece, score] list. */
export function pythonTrain(inputPath: string, prefix: string, flags: Record<string, unknown>): [string, number][] {
  return runPython(TRAIN, { input: inputPath, prefix, flags }) as [string, number][];
}
