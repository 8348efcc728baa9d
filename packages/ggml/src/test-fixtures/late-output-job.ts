// A job whose last output arrives after it has exited: a grandchild holding its stderr
// and IPC channel writes them later. runNativeJob must wait for both to drain.
import { spawn } from 'node:child_process';

const [mode] = process.argv.slice(2);
const IPC_FD = 3; // runNativeJob forks with stdio [ignore, inherit, pipe, ipc]
const late =
  mode === 'fail'
    ? "require('fs').writeSync(2, 'GGML_ASSERT(late line) failed\\n')"
    : "require('fs').writeSync(3, JSON.stringify({ late: true }) + '\\n')";
const env = { ...process.env };
delete env.NODE_OPTIONS; // the grandchild is plain JS
spawn(process.execPath, ['-e', `setTimeout(() => { ${late}; }, 300)`], { stdio: ['ignore', 'ignore', 'inherit', IPC_FD], env }).unref();
process.stderr.write('job ending\n');
process.exit(mode === 'fail' ? 3 : 0);
