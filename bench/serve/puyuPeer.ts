/**
 * Our server as a child process of the bench, so it has an event loop of its own as llama-server
 * does (the load generator runs in the parent for both). Prints one JSON line `{url}` when it
 * listens, exits when stdin closes.
 *
 *   tsx --conditions=source bench/serve/puyuPeer.ts '{"model":"m.gguf","sequences":16,...}'
 */
import { startServer } from '@puyu/serve';

const opts = JSON.parse(process.argv[2] ?? '{}');
const server = await startServer({ port: 0, host: '127.0.0.1', ...opts });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close();
  process.exit(0);
});
