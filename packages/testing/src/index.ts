// @puyu/testing (private) — helpers that tests of several packages share, so no test reaches
// into another package's src/ by a relative path. Nothing here ships; nothing outside tests,
// benchmarks and scripts imports it.

export { eventually, metric, postJson, readEvents } from './http.js';
export { type ImportGraph, importCycles, importGraph } from './importGraph.js';
export { type OpenAIPeer, type PeerReply, type PeerRequest, startOpenAIPeer, wordTokens } from './openaiPeer.js';
export { alwaysAReply, findSample, naturalAnswer, type OracleSample, oracleReply } from './oracle.js';
export {
  hasShared,
  INTERNLM2_TOKENIZER_DIR,
  REPO_ROOT,
  SHARED_ROOT,
  sharedDataPath,
  sharedDataRoot,
  sharedPath,
} from './shared.js';
export { CITIES, GREETING, GREETING_REPLY, makeToolModel, SYSTEM, type ToolModel, WEATHER_TOOL, weatherConversation } from './toolModel.js';
