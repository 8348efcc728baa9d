export { CLI_ERROR_CODES, CLI_ERROR_PREFIXES, type CliErrorCode } from './errorCodes.js';
export { main } from './main.js';
