import type { Hono } from 'hono';

/** What every stage's routes get: where runs live and which model endpoints the user named. */
export interface StudioContext {
  /** Absolute path of the runs folder (`--runs`). */
  runsDir: string;
  /** OpenAI-compatible base URLs (…/v1) from `--endpoint`; ours (http://127.0.0.1:8000/v1) when none. */
  endpoints: string[];
  /** Benchmark files for evaluations started from the page (`--data-root`; default ./data). */
  dataRoot?: string;
  /** The labelling stage's database and stored files (default `<runsDir>/label`). */
  labelDir?: string;
}

/**
 * One stage's HTTP routes, mounted under `/api/<id>/`. A stage adds its routes by writing a
 * folder `server/routes/<id>/` whose index exports one of these, and one line in `server/stages.ts`.
 */
export interface StageRoutes {
  id: string;
  routes(ctx: StudioContext): Hono;
}
