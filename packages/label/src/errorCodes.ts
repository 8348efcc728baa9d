import { defineErrorCodes } from '@puyu/core';

/** The error codes @puyu/label throws (see docs/errors.md). The API answers them as `{ error: { code, message } }`. */
export const LABEL_ERROR_PREFIXES = ['LABEL_'] as const;

export const LABEL_ERROR_CODES = defineErrorCodes('@puyu/label', LABEL_ERROR_PREFIXES, {
  LABEL_UNAUTHENTICATED: {
    meaning: 'The request has no valid session cookie (never logged in, logged out, or the session expired).',
    action: 'Log in with POST /api/label/auth/login and send the puyu_label_session cookie.',
  },
  LABEL_BAD_LOGIN: {
    meaning: 'The user name or password is wrong, or the account is disabled.',
    action: 'Check the name and password; an admin can reset it with `puyu label user add NAME --role R` or PATCH /users/{id}.',
  },
  LABEL_LOGIN_RATE_LIMITED: {
    meaning: 'Too many failed logins from this address or for this name in the window.',
    action: 'Wait for the Retry-After seconds, then log in again.',
  },
  LABEL_CSRF: {
    meaning: 'A state-changing request (POST, PUT, PATCH, DELETE) came without the X-CSRF-Token header of its session.',
    action: 'Send the csrfToken returned by login or GET /auth/me in the X-CSRF-Token header.',
  },
  LABEL_FORBIDDEN: {
    meaning: 'The user is logged in but their role or project membership does not allow this.',
    action: 'Ask an admin to add you to the project or give you the needed role.',
  },
  LABEL_NOT_FOUND: {
    meaning: 'The project, item, task, user or file does not exist.',
    action: 'Check the id in the URL.',
  },
  LABEL_BAD_REQUEST: {
    meaning: 'The request body or query does not match the API schema (see /api/openapi.json).',
    action: 'Fix the field the message names.',
  },
  LABEL_DUPLICATE: {
    meaning: 'A user or project with that name already exists.',
    action: 'Choose another name.',
  },
  LABEL_VERSION_CONFLICT: {
    meaning: 'The task changed since it was read (optimistic locking): another save won.',
    action: 'Reload the task, merge your change and save with the new version.',
  },
  LABEL_TASK_EXPIRED: {
    meaning: 'The task was not submitted before it expired and went back to the pool.',
    action: 'Ask for the next task.',
  },
  LABEL_BAD_IMPORT: {
    meaning:
      'An import line or file is not one of the accepted shapes (LabelLLM, OpenAI messages, XTuner conversation, puyu export, image, COCO/YOLO).',
    action: 'Fix the line the report names; the other lines were imported.',
  },
  LABEL_UNSAFE_PATH: {
    meaning: 'An archive entry or file name would be written outside its folder (absolute path, .., drive letter).',
    action: 'Rebuild the archive with relative paths inside one folder.',
  },
  LABEL_TOO_LARGE: {
    meaning: 'An upload or archive is larger than the server accepts.',
    action: 'Split the import into smaller parts.',
  },
  LABEL_BAD_IMAGE: {
    meaning: 'A file is not a PNG, JPEG, GIF or WebP image whose size can be read.',
    action: 'Convert the file to PNG or JPEG.',
  },
  LABEL_BAD_DATABASE: {
    meaning:
      'The database URL is neither empty (SQLite under the data folder) nor postgres://…, or the database could not be opened or migrated.',
    action: 'Pass --database postgres://user:pass@host/db or leave it out; check the server is reachable.',
  },
  LABEL_PREANNOTATE_FAILED: {
    meaning: 'The model endpoint did not answer a pre-annotation request (returned per item).',
    action: 'Check the endpoint URL and model name; the items that failed can be pre-annotated again.',
  },
  LABEL_BAD_EXPORT: {
    meaning: 'The export format is unknown or does not fit the project kind (e.g. COCO for dialogues).',
    action: 'Use raw, labels, audits, sft or dpo for dialogues; raw, labels, audits, coco, yolo or voc for images.',
  },
});

export type LabelErrorCode = keyof typeof LABEL_ERROR_CODES;
