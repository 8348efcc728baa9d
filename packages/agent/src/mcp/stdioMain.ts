// Entry for running Puyu's MCP server from source (tests spawn it through tsx):
//   node --import tsx --conditions=source packages/agent/src/mcp/stdioMain.ts [DOCS_DIR]
import { serveMcpStdio } from './server.js';

await serveMcpStdio({ docs: process.argv[2] });
