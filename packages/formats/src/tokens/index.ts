export {
  readTokenShard,
  shardDocCount,
  TOKEN_SHARD_MAGIC,
  type TokenShard,
  TokenShardWriter,
  tokenShardFromDocs,
  writeTokenShard,
} from './TokenShard.js';
