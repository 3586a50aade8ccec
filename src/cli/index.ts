/** Public face of the CLI. */
export { buildProgram } from './program.ts';
export { runCli } from './run-cli.ts';
