import type { Command } from 'commander';
import { registerAgentCommands } from './commands/agent.js';
import { registerAssistantCommands } from './commands/assistant.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerDataCommands } from './commands/data.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerEvalCommands } from './commands/eval.js';
import { registerExtractCommand } from './commands/extract.js';
import { registerLabelCommands } from './commands/label.js';
import { registerLineageCommand } from './commands/lineage.js';
import { registerModelCommands } from './commands/model.js';
import { registerQuantizeCommand } from './commands/quantize.js';
import { registerQuickstartCommand } from './commands/quickstart.js';
import { registerServeCommand } from './commands/serve.js';
import { registerStudioCommand } from './commands/studio.js';
import { registerTokenizerCommands } from './commands/tokenizer.js';
import { registerTrainCommands } from './commands/train.js';

/** Each stage registers its sub-commands here (`puyu model …`, `puyu tokenizer …`). */
export function registerCommands(program: Command): void {
  registerTokenizerCommands(program);
  registerModelCommands(program);
  registerTrainCommands(program);
  registerQuickstartCommand(program);
  registerServeCommand(program);
  registerQuantizeCommand(program);
  registerEvalCommands(program);
  registerExtractCommand(program);
  registerStudioCommand(program);
  registerDataCommands(program);
  registerAgentCommands(program);
  registerDoctorCommand(program);
  registerCompletionCommand(program);
  registerAssistantCommands(program);
  registerLabelCommands(program);
  registerLineageCommand(program);
}
