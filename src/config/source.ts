/**
 * Where a config repository's files come from. Everything above this line
 * (parsing, validation, building the model) sees only this interface, so a
 * working tree and any git ref or commit are read the same way; the contract
 * test runs one suite against every implementation.
 */

export interface ConfigSource {
  /** Where the files come from, for messages: a directory, or `<dir>@<ref> (<short sha>)`. */
  readonly description: string;
  /** The commit the files were read from; undefined for a working tree. */
  readonly commit: string | undefined;
  /** The ref asked for (git sources), undefined for a working tree. */
  readonly ref: string | undefined;
  /** Every file path, POSIX-style, relative to the repository root, sorted; no directories. Skips `.git/` and `node_modules/`. */
  listFiles(): Promise<string[]>;
  /** A file's content as UTF-8 text. */
  readText(path: string): Promise<string>;
}
