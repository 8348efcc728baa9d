import type { Command } from 'commander';
import { choiceOption, intOption } from '../options.js';
import type { AskFlags, CalibrateFlags, IngestFlags, ServeFlags } from './assistant-run.js';

const RETRIEVERS = ['bm25', 'dense', 'hybrid'] as const;

/** `puyu assistant ingest|ask|calibrate|serve` (HuixiangDou): a domain assistant with calibrated rejection. */
export function registerAssistantCommands(program: Command): void {
  const a = program
    .command('assistant')
    .description('Domain assistant (HuixiangDou): ingest documents, calibrate rejection, ask with citations, serve HTTP + webhook');
  a.command('ingest')
    .description('Ingest a folder of Markdown, text, PDF, DOCX and HTML into a knowledge base (incremental)')
    .argument('<dir>', 'folder of documents (recursive)')
    .requiredOption('--kb <dir>', 'knowledge-base folder (created if missing)')
    .option('--embed <spec>', 'embedding endpoint URL@model or local:PATH.gguf (stored in the KB; without it BM25 only)')
    .option('--model <spec>', 'chat model URL@model or local:PATH.gguf to store in the KB for ask/serve')
    .option('--max-chars <n>', 'most characters per chunk', intOption('--max-chars', { min: 100, max: 20_000 }))
    .option('--max-file-mb <n>', 'skip files larger than this', intOption('--max-file-mb', { min: 1 }), 100)
    .option('--api-key <key>', 'Bearer key for the endpoints (or OPENAI_API_KEY)')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, o: IngestFlags) => (await import('./assistant-run.js')).assistantIngest(dir, o));
  a.command('calibrate')
    .description('Fit the rejection threshold on good/bad questions (max F1) and store it in the KB config')
    .requiredOption('--kb <dir>', 'knowledge-base folder')
    .requiredOption('--good <file>', 'questions the KB should answer, one per line')
    .requiredOption('--bad <file>', 'questions the KB should refuse, one per line')
    .option('--retriever <name>', 'calibrate only this retriever (default: every one the KB has)', choiceOption('--retriever', RETRIEVERS))
    .option('--embed <spec>', 'embedding endpoint (default: the one stored in the KB)')
    .option('--api-key <key>', 'Bearer key for the endpoints (or OPENAI_API_KEY)')
    .option('--json', 'print thresholds and curves as JSON')
    .action(async (o: CalibrateFlags) => (await import('./assistant-run.js')).assistantCalibrate(o));
  a.command('ask')
    .description('Answer one question with citations, or refuse it and say why')
    .argument('<question>', 'the question')
    .requiredOption('--kb <dir>', 'knowledge-base folder')
    .option('--json', 'print {"decision","score","reason","answer"?,"citations"?} as one JSON line')
    .option('--retrieval-only', 'decide with retrieval and the calibrated threshold alone (no LLM)')
    .option(
      '--retriever <name>',
      'bm25, dense or hybrid (default: hybrid when the KB has vectors)',
      choiceOption('--retriever', RETRIEVERS),
    )
    .option('--model <spec>', 'chat model URL@model or local:PATH.gguf (default: the one stored in the KB)')
    .option('--embed <spec>', 'embedding endpoint (default: the one stored in the KB)')
    .option('--rerank <spec>', "rerank the passages: 'llm' or URL@model of a /rerank endpoint")
    .option('--llm-security', "also have the chat model score each answer's sensitivity (refused at 6/10)")
    .option('--log', 'also print the step log (with --json it is always included)')
    .option('--api-key <key>', 'Bearer key for the endpoints (or OPENAI_API_KEY)')
    .action(async (question: string, o: AskFlags) => (await import('./assistant-run.js')).assistantAsk(question, o));
  a.command('serve')
    .description('Serve the HTTP API (/v1/ask, /v1/upload, /v1/calibrate …) and the signed webhook connector')
    .requiredOption('--kb <dir>', 'knowledge-base folder')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', intOption('--port', { min: 0, max: 65535 }), 8100)
    .option('--model <spec>', 'chat model (default: the one stored in the KB)')
    .option('--embed <spec>', 'embedding endpoint (default: the one stored in the KB)')
    .option('--webhook-secret <secret>', 'shared HMAC secret; enables POST /v1/webhook (or PUYU_ASSISTANT_WEBHOOK_SECRET)')
    .option('--llm-security', "also have the chat model score each answer's sensitivity (refused at 6/10)")
    .option('--token <token>', 'Bearer token the API routes require (or PUYU_ASSISTANT_TOKEN); needed to listen beyond loopback')
    .option('--max-upload-mb <n>', 'largest upload accepted', intOption('--max-upload-mb', { min: 1 }), 100)
    .option('--api-key <key>', 'Bearer key for the endpoints (or OPENAI_API_KEY)')
    .action(async (o: ServeFlags) => (await import('./assistant-run.js')).assistantServe(o));
}
