import type { StageRoutes } from './context.js';
import { agentRoutes } from './routes/agent/index.js';
import { assistantRoutes } from './routes/assistant/index.js';
import { chatRoutes } from './routes/chat/index.js';
import { evaluationRoutes } from './routes/evaluation/index.js';
import { labelRoutes } from './routes/label/index.js';
import { lineageRoutes } from './routes/lineage/index.js';
import { modelsRoutes } from './routes/models/index.js';
import { runsRoutes } from './routes/runs/index.js';
import { servingRoutes } from './routes/serving/index.js';
import { trainingRoutes } from './routes/training/index.js';

/** Every stage's API, mounted at /api/<id>/. A new stage adds its folder under routes/ and one line here. */
export const STAGES: readonly StageRoutes[] = [
  runsRoutes,
  lineageRoutes,
  trainingRoutes,
  chatRoutes,
  evaluationRoutes,
  modelsRoutes,
  servingRoutes,
  agentRoutes,
  assistantRoutes,
  labelRoutes,
];
