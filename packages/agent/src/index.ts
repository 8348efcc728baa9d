// @puyu/agent — Agents (Lagent + MindSearch): agent core, InternLM2/OpenAI/ReAct protocols, tools, sandboxes, MCP, planner with parallel searchers.
export {};
