import type { ComponentType } from 'react';

/**
 * One stage's pages. A stage adds its pages by writing `src/pages/<id>/index.tsx` exporting
 * `stage` (found by src/stages.ts, nothing to register) and its strings in
 * `src/pages/<id>/messages/{en,zh}.json` (the i18next namespace `<id>`).
 */
export interface StageDef {
  id: string;
  /** URL path under the app root, e.g. `training`; '' for the home page. */
  path: string;
  /** Position in the navigation bar. */
  order: number;
  /** Key of the navigation label in the stage's own namespace. */
  navKey: string;
  /** The page component; sub-routes are handled inside it with react-router's <Routes>. */
  Page: ComponentType;
}
