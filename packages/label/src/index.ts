// @puyu/label — labelling in the manner of LabelLLM (dialogues: questions, ranking, rewrites,
// review) and LabelU (images: rectangle, polygon, line, point, tag), with exports that train.
// The REST contract is API.md; the Studio mounts createLabelApp's app, `puyu label serve` runs startLabelServer.

export { cohenKappa, fleissKappa, kendallTau, rankingTau } from './agreement.js';
export { type AgreementReport, agreementOf } from './agreementReport.js';
export { createLabelApp, type LabelApp, type LabelAppOptions } from './api/app.js';
export { CSRF_HEADER, type LabelContext, SESSION_COOKIE } from './api/env.js';
export { type OpenedDatabase, openDatabase } from './db/openDatabase.js';
export type { LabelDatabase, Role } from './db/schema.js';
export { LABEL_ERROR_CODES, LABEL_ERROR_PREFIXES, type LabelErrorCode } from './errorCodes.js';
export { LabelError } from './errors.js';
export { EXPORT_FORMATS, type ExportFile, type ExportFormat, exportProject } from './io/exportProject.js';
export { loadProjectRecords, recordLine } from './io/exportRecords.js';
export { cocoExport, cocoToShapes, yoloToShapes } from './io/imageExports.js';
export { DIALOGUE_FORMATS, type DialogueFormat, parseDialogueJsonl } from './io/importDialogues.js';
export { importImageEntries, readFolder, readZip, safeRelativePath } from './io/importImages.js';
export { type ImportReport, importDialogues } from './io/importService.js';
export { consensusRanking, dpoLines, finalAnswer, sftLine } from './io/trainingExports.js';
export { type PreannotateOptions, type PreannotateReport, preannotate } from './preannotate.js';
export { type LabelServer, type LabelServerOptions, startLabelServer } from './server.js';
export * from './shapes.js';
export { FileStore } from './store/fileStore.js';
export { createProject, getProject, type Item, type NewProject, type Project } from './store/projects.js';
export type { Review, Task } from './store/tasks.js';
export { createUser, listUsers, type Session, type User, upsertUser } from './store/users.js';
