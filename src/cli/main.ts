/** Process entry point of the `cairn` command (see bin/cairn.js). */
import { runCli } from './run-cli.ts';

await runCli(process.argv);
