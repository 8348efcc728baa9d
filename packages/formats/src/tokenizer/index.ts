export * from './sentencepiece-proto.js';
