import { defineErrorCodes } from '@puyu/core';

/** The error codes the Studio server answers with (as `{ error: { code, message } }` JSON) or throws at start-up. */
export const STUDIO_ERROR_PREFIXES = ['STUDIO_'] as const;

export const STUDIO_ERROR_CODES = defineErrorCodes('@puyu/studio', STUDIO_ERROR_PREFIXES, {
  STUDIO_NOT_BUILT: {
    meaning: 'The Studio web app (apps/studio/dist/web) has not been built.',
    action: 'Run npm install (its prepare step builds it) or npm run build -w apps/studio.',
  },
  STUDIO_RUNS_MISSING: {
    meaning: 'The --runs folder does not exist or is not a folder.',
    action: 'Pass the folder your runs are written to (e.g. --runs runs), or run npx puyu quickstart to make one.',
  },
  STUDIO_RUN_NOT_FOUND: {
    meaning: 'No run folder with that id is under the runs folder.',
    action: 'Pick a run from the Chain overview page; ids are paths relative to the runs folder.',
  },
  STUDIO_PATH_OUTSIDE_RUNS: {
    meaning: 'A file path in the request is outside the runs folder, which is all the Studio reads.',
    action: 'Choose a model from the list, or start puyu studio with --runs set to a folder that holds it.',
  },
  STUDIO_BAD_REQUEST: {
    meaning: 'A request to the Studio API is missing a field or has one of the wrong type.',
    action: 'Fix the request as the message says; the pages send well-formed requests.',
  },
  STUDIO_ENDPOINT_FAILED: {
    meaning: 'The model endpoint (OpenAI-compatible server) could not be reached or answered with an error.',
    action: 'Start the server (puyu serve MODEL) or fix the endpoint URL, then retry.',
  },
  STUDIO_UNAUTHORIZED: {
    meaning: 'The Studio is bound to a non-loopback address and the request carried no valid token.',
    action: 'Open the URL printed at start-up (it carries ?token=…), or send Authorization: Bearer TOKEN.',
  },
  STUDIO_EVAL_ABORTED: {
    meaning: 'An evaluation started from the page stopped before it finished.',
    action: 'Start it again with the same run name: finished samples are cached and the run resumes.',
  },
  STUDIO_FILE_UNREADABLE: {
    meaning: 'A run file (metrics.jsonl, run.json, summary.csv, a scored JSONL) could not be read or parsed.',
    action: 'Check the file is complete and readable; a run still writing it will be readable again shortly.',
  },
});

export type StudioErrorCode = keyof typeof STUDIO_ERROR_CODES;
