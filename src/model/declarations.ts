/**
 * What the model is built from: each object as its (schema-valid) document,
 * tagged with where it came from, and what the builder reports back. The
 * builder never sees files or positions; the config loader maps a Problem's
 * origin and path back to file:line:col.
 */
import type { DiagnosticCode } from './diagnostic-codes.ts';

export type DocPath = readonly (string | number)[];
type Doc = Record<string, any>;

export interface Declaration {
  /** Opaque to the model: the config loader's name for the file. */
  origin: string;
  doc: Doc;
}

export interface ExtensionDeclaration extends Declaration {
  /** Files of the bundle, relative to its folder (to check that `entry` exists). */
  bundleFiles: string[];
}

export interface Declarations {
  project: Declaration | undefined;
  collections: Declaration[];
  policies: Declaration[];
  roles: Declaration[];
  flows: Declaration[];
  extensions: ExtensionDeclaration[];
  /**
   * Names of objects whose files exist but failed earlier checks: references
   * to them are not reported again as unknown.
   */
  invalidNames: { collections: Set<string>; policies: Set<string>; roles: Set<string>; flows: Set<string>; extensions: Set<string> };
  environment: string | null;
}

export interface Problem {
  code: DiagnosticCode;
  origin: string;
  path: DocPath;
  /** Point at the key of the last path segment rather than its value. */
  target?: 'key' | 'value';
  message: string;
  hint?: string;
}

export type Report = (problem: Problem) => void;
