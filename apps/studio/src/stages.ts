import type { StageDef } from './stage';

// Every folder under pages/ with an index.tsx is a stage: its `stage` export is picked up here.
const modules = import.meta.glob<{ stage: StageDef }>('./pages/*/index.tsx', { eager: true });

export const STAGES: StageDef[] = Object.values(modules)
  .map((m) => m.stage)
  .sort((a, b) => a.order - b.order);
