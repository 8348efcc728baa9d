// A child job that succeeds and reports a result over IPC.
import { GgmlCpuBackend } from '../GgmlCpuBackend.js';

const backend = GgmlCpuBackend.create({ threads: 1 });
process.send?.({ backend: backend.name, args: process.argv.slice(2) });
backend.free();
