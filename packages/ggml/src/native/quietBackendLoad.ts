import koffi, { type LibraryHandle, type TypeObject } from 'koffi';

/** ggml's `enum ggml_log_level`: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5 (continues the last line). */
const WARN = 3;
const CONT = 5;

let logProto: TypeObject | undefined;

/**
 * Runs `load` (ggml_backend_load…) with ggml's log limited to warnings and errors, then puts
 * ggml's default logger back. ggml logs `load_backend: loaded CPU backend from …` at INFO on
 * stderr, which broke every `--quiet` command that loads a model (`puyu eval … --quiet` must
 * print nothing there). Which library loaded is reported by `puyu doctor` and every bench
 * instead. Loading is synchronous on this thread, so the callback runs here.
 */
export function withQuietGgmlLog<T>(base: LibraryHandle, load: () => T): T {
  return withQuietLog(base, 'ggml_log_set', load);
}

/**
 * The same for libllama's log (`llama_log_set`), which `llama_model_quantize` fills with a line
 * per tensor at INFO: `puyu quantize` and the quickstart print their own one-line summary.
 */
export function withQuietLlamaLog<T>(llama: LibraryHandle, load: () => T): T {
  return withQuietLog(llama, 'llama_log_set', load);
}

function withQuietLog<T>(lib: LibraryHandle, setter: 'ggml_log_set' | 'llama_log_set', load: () => T): T {
  logProto ??= koffi.proto('void puyu_ggml_log_callback(int level, const char* text, void* user_data)');
  const logSet = lib.func(`void ${setter}(puyu_ggml_log_callback* cb, void* user_data)`);
  let shown = false;
  const cb = koffi.register((level: number, text: string) => {
    shown = level === CONT ? shown : level >= WARN;
    if (shown) process.stderr.write(text);
  }, koffi.pointer(logProto));
  logSet(cb, null);
  try {
    return load();
  } finally {
    logSet(null, null);
    koffi.unregister(cb);
  }
}
