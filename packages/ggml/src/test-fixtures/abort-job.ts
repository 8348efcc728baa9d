// A child job that makes ggml abort on purpose: a tensor that does not fit its arena.
import { loadGgmlLibrary } from '../native/ggml-lib.js';

const { fn } = loadGgmlLibrary();
process.stderr.write('about to overflow a ggml arena\n');
const ctx = fn.ggml_init({ mem_size: 1024, mem_buffer: null, no_alloc: false });
if (!ctx) throw new Error('ggml_init failed');
fn.ggml_new_tensor_1d(ctx, 0, 1_000_000);
process.send?.({ unreachable: true });
