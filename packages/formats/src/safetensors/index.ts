// Safetensors: lazy reader, HF-compatible writer, sharded checkpoints (index.json).
export { DTYPE_BYTES, isSafetensorsDtype, SAFETENSORS_DTYPES, type SafetensorsDtype } from './dtype.js';
export { MAX_HEADER_BYTES, type SafetensorsTensorInfo } from './header.js';
export { SafetensorsFile } from './SafetensorsFile.js';
export type { SafetensorsReader } from './SafetensorsReader.js';
export {
  openSafetensorsModel,
  parseSafetensorsIndex,
  SAFETENSORS_INDEX_NAME,
  SAFETENSORS_SINGLE_NAME,
  type SafetensorsIndex,
  ShardedSafetensors,
} from './ShardedSafetensors.js';
export { toFloat32 } from './toFloat32.js';
export { type SafetensorsTensorInput, type TensorData, type WrittenSafetensors, writeSafetensors } from './writeSafetensors.js';
export {
  DEFAULT_MAX_SHARD_BYTES,
  formatSafetensorsIndex,
  planShards,
  type ShardedWriteOptions,
  shardFileName,
  type WrittenShardedSafetensors,
  writeShardedSafetensors,
} from './writeShardedSafetensors.js';
