import type { SafetensorsTensorInfo } from './header.js';

/**
 * What single files and sharded checkpoints share, so model loaders take either.
 * Reads are lazy: only the asked tensor's bytes are read from disk.
 */
export interface SafetensorsReader extends AsyncDisposable {
  /** Every tensor, in on-disk order (shard by shard for sharded checkpoints). */
  readonly tensors: readonly SafetensorsTensorInfo[];
  /** The `__metadata__` string map (of the first shard for sharded checkpoints), if any. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  has(name: string): boolean;
  /** Throws FormatError SAFETENSORS_TENSOR_NOT_FOUND for an unknown name. */
  info(name: string): SafetensorsTensorInfo;
  /** The tensor's little-endian bytes, exactly as stored. */
  readRaw(name: string): Promise<Uint8Array>;
  /** The tensor as f32 (F32 as is; F16/BF16/F8/F64/integers converted). */
  readF32(name: string): Promise<Float32Array>;
  close(): Promise<void>;
}
