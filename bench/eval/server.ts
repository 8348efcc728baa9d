/**
 * The endpoint every harness in bench/eval talks to, in a process of its own so no harness
 * shares its event loop: an OpenAI-compatible loopback server that answers GSM8K questions
 * with the gold answer after a fixed latency (a stand-in for a model's time per request).
 * Prints its URL on the first stdout line; counts requests on `GET /count`.
 *
 *   tsx --conditions=source bench/eval/server.ts --latency-ms 100 --data ../shared/datasets
 */
import { parseArgs } from 'node:util';
import { oracleReply, startOpenAIPeer } from '@puyu/testing';
import { getDataset } from '../../packages/eval/src/datasets/registry.js';

const { values } = parseArgs({
  options: { 'latency-ms': { type: 'string', default: '100' }, data: { type: 'string' }, n: { type: 'string', default: '200' } },
});
const latency = Number(values['latency-ms']);
const def = getDataset('gsm8k');
const samples = [
  ...(await def.load({ root: values.data!, limit: Number(values.n) })),
  ...(await def.loadFewShotPool!({ root: values.data! })),
];
const slow = oracleReply(samples);
// The chat template puts the question first in the last user turn: a map lookup keeps the server's
// own CPU use negligible (the machine's cores are shared with the harness being measured).
const byQuestion = new Map(samples.map((s) => [s.question, s]));
let slowPath = 0;
const peer = await startOpenAIPeer((r) => {
  const s = byQuestion.get(r.prompt.split('\nPlease reason step by step')[0]);
  if (!s) slowPath++;
  return { delayMs: latency, reply: s ? `So the answer is \\boxed{${s.gold}}.` : slow(r) };
});
process.stdout.write(`${peer.url}\n`);
process.on('SIGTERM', () => {
  // A harness whose prompts did not arrive as the chat messages the others send would show up here.
  process.stderr.write(`bench server: ${peer.requests.length} requests, ${slowPath} not in the expected chat form\n`);
  void peer.close().then(() => process.exit(0));
});
