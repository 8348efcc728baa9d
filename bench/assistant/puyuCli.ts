// The `puyu` command run from source (tsx, `source` export condition), so the bench exercises the
// code in the tree rather than whatever dist/ was last built: `tsx --conditions=source puyuCli.ts serve …`.
import { main } from '@puyu/cli';

process.exitCode = await main(process.argv.slice(2));
