import { defineErrorCodes } from '@puyu/core';

/** The error codes @puyu/formats throws or returns (see docs/errors.md and @puyu/core's defineErrorCodes). */
export const FORMATS_ERROR_PREFIXES = [
  'GGUF_',
  'SAFETENSORS_',
  'TOKENIZER_',
  'SPM_',
  'PROTO_',
  'CHAT_',
  'OPENAI_',
  'TOOL_CALL_',
  'PY_JSON_',
  'TOKENS_',
  'CORPUS_',
] as const;

export const FORMATS_ERROR_CODES = defineErrorCodes('@puyu/formats', FORMATS_ERROR_PREFIXES, {
  // GGUF files and ggml tensor data
  GGUF_NOT_FOUND: {
    meaning: 'The GGUF file does not exist.',
    action: 'Check the path of the .gguf file.',
  },
  GGUF_UNREADABLE: {
    meaning: 'The GGUF path cannot be opened or is not a regular file.',
    action: 'Check its permissions, and pass a .gguf file rather than a folder.',
  },
  GGUF_BAD_MAGIC: {
    meaning: 'The file does not start with the GGUF magic bytes, so it is not a GGUF file.',
    action: 'Pass a .gguf file (convert HF folders with `puyu model convert`).',
  },
  GGUF_UNSUPPORTED_VERSION: {
    meaning: 'The GGUF file is version 1 (obsolete), a version newer than 3, or big-endian.',
    action: 'Re-convert the model with a current llama.cpp or Puyu (little-endian GGUF v2 and v3 are read).',
  },
  GGUF_CORRUPT: {
    meaning: 'The GGUF header holds impossible values (unknown value types, lengths past the file, bad tensor dimensions or offsets).',
    action: 'Re-download or re-convert the file.',
  },
  GGUF_TRUNCATED: {
    meaning: 'The GGUF file ends before the data its header describes.',
    action: 'The download or write was interrupted: re-download or re-convert the file.',
  },
  GGUF_DUPLICATE_KEY: {
    meaning: 'A GGUF metadata key appears twice.',
    action: 'The file is corrupt: re-download or re-convert it.',
  },
  GGUF_DUPLICATE_TENSOR: {
    meaning: 'A tensor name appears twice in a GGUF file being read or written.',
    action: 'Re-convert a corrupt file; when writing, add each tensor once.',
  },
  GGUF_BAD_ALIGNMENT: {
    meaning: 'general.alignment is not a uint32 power of two.',
    action: 'Re-convert a corrupt file; when writing, set a power-of-two alignment (default 32).',
  },
  GGUF_BAD_VALUE: {
    meaning: 'A GGUF metadata value has the wrong type, an empty key, or does not fit where it is read.',
    action: 'Check the key and value type the message names (read big integers with get()).',
  },
  GGUF_BAD_TENSOR: {
    meaning: 'A tensor given to the GGUF writer is invalid (empty or too long a name, not 1 to 4 dimensions, data of the wrong size).',
    action: 'Fix the tensor the message names.',
  },
  GGUF_TENSOR_NOT_FOUND: {
    meaning: 'The GGUF file has no tensor of the requested name.',
    action: 'Check the name against the file’s tensor list (`puyu model inspect FILE`).',
  },
  GGUF_UNKNOWN_TYPE: {
    meaning: 'A tensor has a ggml type id this reader does not know.',
    action: 'The file is corrupt or from a newer ggml: re-convert it, or update Puyu.',
  },
  GGUF_BAD_SHAPE: {
    meaning: 'A tensor shape has a negative or non-integer dimension, or more than 2^53 elements or bytes.',
    action: 'Fix the shape the message names.',
  },
  GGUF_BAD_ROW_SIZE: {
    meaning: 'A tensor row does not hold a whole number of quantization blocks of its type.',
    action: 'Pick a type with a smaller block (f32, f16, q8_0 for rows not a multiple of 256) or pad the row.',
  },
  GGUF_BAD_DATA_SIZE: {
    meaning: 'Tensor data does not hold the number of bytes its type and shape need.',
    action: 'The tensor data is truncated or mislabelled: re-create it or check its type and shape.',
  },
  GGUF_UNSUPPORTED_QUANT: {
    meaning: 'Puyu cannot encode f32 values as this tensor type in TypeScript (only f32, f16, bf16, q8_0, q4_0).',
    action: 'Write one of those types, pass already-quantized bytes, or quantize with `puyu quantize`.',
  },
  GGUF_UNSUPPORTED_DEQUANT: {
    meaning: 'Puyu cannot decode tensors of this type to f32 (only f32, f16, bf16, q8_0, q4_0, q4_K, q6_K).',
    action: 'Read the raw bytes with readTensorBytes(), or convert from an unquantized model.',
  },
  GGUF_CLOSED: {
    meaning: 'A tensor was read from a GGUF file after it was closed.',
    action: 'Open the file again before reading tensors.',
  },
  GGUF_WRITE_FAILED: {
    meaning: 'Writing the GGUF file failed.',
    action: 'Check that the folder exists, is writable and has free space.',
  },
  GGUF_BAD_TOKENIZER: {
    meaning: "The GGUF's tokenizer.ggml.* metadata is missing, of the wrong type or inconsistent.",
    action: 'Re-convert the model with its tokenizer, or pass a tokenizer.model separately.',
  },
  GGUF_NOT_SENTENCEPIECE: {
    meaning: 'The GGUF vocabulary is not SentencePiece ("llama"), so it cannot become a tokenizer.model.',
    action: 'Use the model’s original tokenizer files instead.',
  },
  GGUF_BAD_ADDED_TOKEN: {
    meaning: 'An added token has an id outside the vocabulary being written to GGUF.',
    action: 'Fix added_tokens_decoder in tokenizer_config.json or the model’s vocab_size.',
  },
  GGUF_VOCAB_TOO_SMALL: {
    meaning: "The model's vocabulary size is smaller than the tokenizer's piece count.",
    action: 'Pass the right vocabSize (config.json vocab_size) or the matching tokenizer.',
  },

  // safetensors
  SAFETENSORS_NOT_FOUND: {
    meaning: 'A .safetensors file, or a folder holding one, does not exist (or the folder to write into is missing).',
    action: 'Check the path: a model folder needs model.safetensors or model.safetensors.index.json.',
  },
  SAFETENSORS_NOT_A_FILE: {
    meaning: 'The safetensors path is not a regular file.',
    action: 'Pass the .safetensors file, or open a model folder with openSafetensorsModel.',
  },
  SAFETENSORS_WRONG_FORMAT: {
    meaning: 'The file is another format (e.g. GGUF or a PyTorch pickle), not safetensors.',
    action: 'Open it with the matching reader or convert it to safetensors first.',
  },
  SAFETENSORS_IO: {
    meaning: 'Reading or writing a safetensors file failed at the operating-system level.',
    action: 'Check permissions and free disk space.',
  },
  SAFETENSORS_TRUNCATED: {
    meaning: 'The safetensors file is shorter than its header says.',
    action: 'The download or write was interrupted: re-download or re-export it.',
  },
  SAFETENSORS_HEADER_TOO_LARGE: {
    meaning: 'The file declares a header of over 100 MB; real headers are kilobytes.',
    action: 'The file is corrupt or not safetensors: re-download it.',
  },
  SAFETENSORS_BAD_HEADER: {
    meaning: 'The safetensors JSON header is malformed.',
    action: 'The file is corrupt or not safetensors: re-download or re-export it.',
  },
  SAFETENSORS_BAD_DTYPE: {
    meaning: 'A tensor has a dtype Puyu does not know.',
    action: 'Convert the checkpoint to F32, F16 or BF16 first.',
  },
  SAFETENSORS_BAD_OFFSETS: {
    meaning: 'Tensor data_offsets are reversed, overlap or leave gaps.',
    action: 'The header is corrupt: re-download or re-export the file.',
  },
  SAFETENSORS_SIZE_MISMATCH: {
    meaning: "A tensor's byte size does not match its dtype and shape.",
    action: 'The file is corrupt: re-download or re-export it.',
  },
  SAFETENSORS_TRAILING_BYTES: {
    meaning: 'The file holds bytes after the last tensor that the header does not describe.',
    action: 'The file is corrupt or was appended to: re-download or re-export it.',
  },
  SAFETENSORS_BIG_ENDIAN_HOST: {
    meaning: 'This machine is big-endian and safetensors data is little-endian; Puyu does not byte-swap.',
    action: 'Run on a little-endian machine (x86-64, arm64).',
  },
  SAFETENSORS_UNSUPPORTED_DTYPE: {
    meaning: 'A tensor of this dtype cannot be converted to f32.',
    action: 'Read it with readRaw() instead.',
  },
  SAFETENSORS_TENSOR_NOT_FOUND: {
    meaning: 'The checkpoint has no tensor of the requested name.',
    action: 'Check the name against .tensors (or `puyu model inspect`).',
  },
  SAFETENSORS_CLOSED: {
    meaning: 'A tensor was read from a safetensors file after it was closed.',
    action: 'Open the file again before reading.',
  },
  SAFETENSORS_AMBIGUOUS: {
    meaning: 'A model folder holds several safetensors indexes.',
    action: 'Pass the index file you mean.',
  },
  SAFETENSORS_BAD_INDEX: {
    meaning: 'model.safetensors.index.json is malformed.',
    action: 'Fix or regenerate the index (save_pretrained writes it).',
  },
  SAFETENSORS_MISSING_SHARD: {
    meaning: 'The index lists shard files that are not in the folder.',
    action: 'The download is incomplete: fetch the missing shards.',
  },
  SAFETENSORS_DUPLICATE_TENSOR: {
    meaning: 'A tensor appears in two shards of one checkpoint.',
    action: 'Remove the stray shard file.',
  },
  SAFETENSORS_INDEX_MISMATCH: {
    meaning: 'The index and the shards disagree on where tensors are.',
    action: 'They come from different saves: re-download them together or regenerate the index.',
  },
  SAFETENSORS_BAD_TENSOR: {
    meaning: 'A tensor given to the safetensors writer is invalid (bad name, dtype, shape or data size).',
    action: 'Fix the tensor the message names.',
  },
  SAFETENSORS_BAD_METADATA: {
    meaning: 'safetensors metadata must map strings to strings.',
    action: 'Convert every metadata value to a string.',
  },
  SAFETENSORS_BAD_OPTION: {
    meaning: 'A safetensors writer option is out of range (e.g. maxShardBytes).',
    action: 'Pass a positive whole number of bytes.',
  },

  // SentencePiece tokenizer
  TOKENIZER_MODEL_NOT_FOUND: {
    meaning: 'No SentencePiece tokenizer.model was found at the path given.',
    action: 'Pass the tokenizer.model file, or an HF model folder that has one.',
  },
  TOKENIZER_MODEL_UNREADABLE: {
    meaning: 'The tokenizer.model file exists but cannot be read.',
    action: 'Check its permissions.',
  },
  TOKENIZER_MODEL_CORRUPT: {
    meaning: 'The file is not a valid SentencePiece model.',
    action: 'Re-download or re-export the tokenizer.model.',
  },
  TOKENIZER_UNSUPPORTED_MODEL_TYPE: {
    meaning: 'The SentencePiece model is not BPE (e.g. unigram), which Puyu cannot encode with.',
    action: 'Use a BPE model (InternLM2, Llama 2) or train one with `puyu tokenizer train`.',
  },
  TOKENIZER_EMPTY_PIECE: {
    meaning: 'The SentencePiece model has an empty piece.',
    action: 'The model is corrupt: re-export it.',
  },
  TOKENIZER_DUPLICATE_PIECE: {
    meaning: 'The SentencePiece model defines a piece twice.',
    action: 'The model is corrupt: re-export it.',
  },
  TOKENIZER_BAD_PIECE_TYPE: {
    meaning: 'A piece has an unknown SentencePiece type.',
    action: 'The model is corrupt or from an unsupported SentencePiece version: re-export it.',
  },
  TOKENIZER_BAD_BYTE_PIECE: {
    meaning: 'A byte piece is not of the form <0xXX>.',
    action: 'The model is corrupt: re-export it.',
  },
  TOKENIZER_NO_UNK: {
    meaning: 'The SentencePiece model has no <unk> piece.',
    action: 'The model is corrupt (every SentencePiece model has one): re-export it.',
  },
  TOKENIZER_MULTIPLE_UNK: {
    meaning: 'The SentencePiece model has two <unk> pieces.',
    action: 'The model is corrupt: re-export it.',
  },
  TOKENIZER_BAD_CHARSMAP: {
    meaning: "The model's precompiled normalization charsmap is corrupt.",
    action: 'Re-export the tokenizer.model.',
  },
  TOKENIZER_CONFIG_INVALID: {
    meaning: 'tokenizer_config.json is not valid JSON or has malformed added_tokens_decoder entries.',
    action: 'Fix or remove tokenizer_config.json.',
  },
  TOKENIZER_BAD_ADDED_TOKEN: {
    meaning: 'An added token has empty content or an id far outside the vocabulary.',
    action: 'Fix added_tokens_decoder in tokenizer_config.json.',
  },
  TOKENIZER_NO_SPECIAL_ID: {
    meaning: 'BOS or EOS was requested but the model has no such piece.',
    action: 'Encode without addBos/addEos, or use a tokenizer that defines them.',
  },
  TOKENIZER_BAD_INPUT: {
    meaning: 'The tokenizer got input of the wrong kind (encode needs a string, decode an array of integer ids).',
    action: 'Pass text to encode and integer id arrays to decode (e.g. the output of `puyu tokenizer encode`).',
  },
  TOKENIZER_BAD_ID: {
    meaning: 'A token id is outside the vocabulary.',
    action: 'The ids come from another tokenizer or are corrupt: decode with the tokenizer that produced them.',
  },
  SPM_NO_PIECES: {
    meaning: 'The SentencePiece model has no pieces at all.',
    action: 'The file is empty, truncated or not a .model file: re-download or re-export it.',
  },
  PROTO_TRUNCATED: {
    meaning: 'The protobuf data (a tokenizer.model) ends in the middle of a field.',
    action: 'The file is truncated: re-download or re-export it.',
  },
  PROTO_BAD_VARINT: {
    meaning: 'A protobuf varint is longer than 10 bytes.',
    action: 'The file is corrupt: re-download or re-export it.',
  },
  PROTO_BAD_TAG: {
    meaning: 'A protobuf field has number 0, which is invalid.',
    action: 'The file is corrupt: re-download or re-export it.',
  },
  PROTO_BAD_WIRE_TYPE: {
    meaning: 'A protobuf field uses an unsupported wire type.',
    action: 'The file is corrupt or not a SentencePiece model: check the path.',
  },

  // SentencePiece BPE training and its corpus
  TOKENIZER_TRAIN_BAD_OPTION: {
    meaning: 'A tokenizer-training option is out of range (vocabSize, characterCoverage, …).',
    action: 'Fix the option the message names.',
  },
  TOKENIZER_TRAIN_BAD_SPECIAL_PIECES: {
    meaning: 'The special pieces (unk, bos, eos, pad, user-defined) have clashing, negative or duplicate ids or texts.',
    action: 'Give each special piece its own id and text.',
  },
  TOKENIZER_TRAIN_BAD_TSV: {
    meaning: 'A line of TSV training input is not "sentence<TAB>count" with a count of at least 1.',
    action: 'Fix the line the message names, or train on plain text.',
  },
  TOKENIZER_TRAIN_EMPTY_CORPUS: {
    meaning: 'The training corpus has no usable text.',
    action: 'Check the input files: every line was empty, too long (maxSentenceLength) or held U+2585.',
  },
  TOKENIZER_TRAIN_RESERVED_CHAR: {
    meaning: 'U+2585 was listed as a required character, but SentencePiece reserves it.',
    action: 'Remove it from requiredChars.',
  },
  TOKENIZER_TRAIN_VOCAB_TOO_SMALL: {
    meaning: 'vocabSize is smaller than the special pieces plus the character alphabet.',
    action: 'Increase vocabSize or lower characterCoverage.',
  },
  TOKENIZER_TRAIN_VOCAB_TOO_LARGE: {
    meaning: 'The corpus supports fewer pieces than vocabSize.',
    action: 'Lower vocabSize, add text, or disable hardVocabLimit.',
  },
  TOKENIZER_TRAIN_META_ID_GAP: {
    meaning: 'A special piece id lies beyond the pieces the corpus can fill.',
    action: 'Move padId/bosId/eosId lower or train on a larger corpus.',
  },
  TOKENIZER_TRAIN_TOO_MANY_SYMBOLS: {
    meaning: 'The corpus yields more distinct symbol pairs than the trainer can index.',
    action: 'Train on fewer lines (maxLines).',
  },
  CORPUS_NOT_FOUND: {
    meaning: 'A corpus file cannot be read.',
    action: 'Check the path.',
  },
  CORPUS_NOT_A_FILE: {
    meaning: 'A corpus input is a folder or other non-file.',
    action: 'List the text or .jsonl files themselves.',
  },
  CORPUS_BAD_JSONL: {
    meaning: 'A line of a .jsonl corpus is not valid JSON.',
    action: 'Fix the line the message names, or pass a plain text file.',
  },
  CORPUS_MISSING_FIELD: {
    meaning: 'A .jsonl corpus line has no string field of the configured name.',
    action: 'Choose the text field with jsonlField / --jsonl-field.',
  },

  // InternLM2 chat protocol, OpenAI messages, tool calls
  CHAT_INVALID_ROLE: {
    meaning: 'A message has a role the chat format does not know.',
    action: 'Use system, user, assistant or environment for InternLM2 (system, developer, user, assistant or tool for OpenAI messages).',
  },
  CHAT_INVALID_CONTENT: {
    meaning: 'A message content is neither a string nor an array of text parts.',
    action: 'Send string content or text parts.',
  },
  CHAT_UNSUPPORTED_CONTENT: {
    meaning: 'A message has a non-text part (e.g. an image); InternLM2 is text-only.',
    action: 'Send text parts only.',
  },
  CHAT_INVALID_MESSAGE: {
    meaning: 'A non-assistant message carries tool calls.',
    action: 'Only assistant turns may call tools: move the calls or fix the role.',
  },
  CHAT_INVALID_TOOL: {
    meaning: 'A tool definition has no name.',
    action: 'Give every tool a non-empty string name.',
  },
  CHAT_INVALID_TOOL_CALL: {
    meaning: 'A tool call in the conversation is malformed (no name, non-string code, unknown kind).',
    action: 'Give plugin calls a name and interpreter calls string code.',
  },
  CHAT_UNMATCHED_TOOL_RESULT: {
    meaning: 'A tool result answers no earlier assistant tool call.',
    action: 'Set toolCallId to a call of an earlier assistant turn, or add that call.',
  },
  CHAT_NOTHING_TO_CONTINUE: {
    meaning: 'continueFinalMessage was asked but the last message is not an assistant turn.',
    action: 'End with an assistant message or drop the option.',
  },
  CHAT_TEMPLATE_MISSING: {
    meaning: 'tokenizer_config.json has no chat template (of the requested name).',
    action: 'Pass a template, pick one of its names, or use the built-in InternLM2 renderer.',
  },
  CHAT_TEMPLATE_INVALID: {
    meaning: 'The Jinja chat template does not parse.',
    action: 'Fix the template syntax or use the built-in renderer.',
  },
  CHAT_TEMPLATE_RAISED: {
    meaning: 'The chat template rejected the conversation with raise_exception.',
    action: 'Change the conversation as the template’s message asks (e.g. alternate user and assistant).',
  },
  CHAT_TEMPLATE_RENDER_FAILED: {
    meaning: 'The chat template failed while rendering.',
    action: 'Check the messages have the fields the template reads.',
  },
  OPENAI_UNSUPPORTED_TOOL: {
    meaning: 'A tool is not an OpenAI function tool, the only kind that maps to InternLM2 plugins.',
    action: 'Send tools as {type: "function", function: {name, …}}.',
  },
  OPENAI_INVALID_TOOL_CALL: {
    meaning: 'An OpenAI tool call has no function name, or a code-interpreter call has no string "command".',
    action: 'Name every call, and pass interpreter code as {"command": "..."}.',
  },
  OPENAI_INVALID_ARGUMENTS: {
    meaning: 'An OpenAI tool call’s arguments are not a valid JSON string.',
    action: 'Send arguments as a JSON object encoded as a string.',
  },
  TOOL_CALL_EMPTY: {
    meaning: 'The model emitted a plugin call with no body.',
    action: 'Returned as data: retry the generation or prompt the model to call the tool with {"name", "parameters"}.',
  },
  TOOL_CALL_INVALID_JSON: {
    meaning: 'The model emitted a tool call (or its "arguments" string) that is not valid JSON.',
    action: 'Returned as data: retry or lower the temperature; the raw text is kept.',
  },
  TOOL_CALL_INVALID_SHAPE: {
    meaning: 'The model emitted a tool call that is not {"name": string, "parameters": object}.',
    action: 'Returned as data: retry, or describe the tools more plainly in the system prompt.',
  },
  TOOL_CALL_UNKNOWN_KIND: {
    meaning: 'The model emitted <|action_start|> without <|plugin|> or <|interpreter|>.',
    action: 'Returned as data; the rest is kept as text.',
  },
  TOOL_CALL_INCOMPLETE: {
    meaning: 'The output ended inside a tool call.',
    action: 'Returned as data: raise max_tokens or retry.',
  },
  PY_JSON_UNSERIALISABLE: {
    meaning: 'A chat template asked to tojson a value JSON cannot hold (a function, undefined, a bigint).',
    action: 'Pass only JSON values in messages and tools.',
  },
  PY_JSON_CIRCULAR: {
    meaning: 'A chat template asked to tojson a circular structure.',
    action: 'Break the cycle in the messages or tools.',
  },

  // .ptok token shards
  TOKENS_NOT_FOUND: {
    meaning: 'A token shard (.ptok) cannot be opened.',
    action: 'Check the path.',
  },
  TOKENS_CORRUPT: {
    meaning: 'The file is not a valid Puyu token shard.',
    action: 'Re-create it with the TokenShardWriter (or re-tokenize the corpus).',
  },
  TOKENS_VERSION: {
    meaning: 'The token shard has a version this Puyu does not read.',
    action: 'Re-tokenize the corpus with this Puyu.',
  },
  TOKENS_BAD_ID: {
    meaning: 'A token id in a shard is outside its declared vocabulary.',
    action: 'The shard was tokenized with another tokenizer or is corrupt: re-tokenize it.',
  },
});

export type FormatsErrorCode = keyof typeof FORMATS_ERROR_CODES;
