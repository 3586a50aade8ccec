/** Public face of the error catalogue. */
export * from './catalogue.ts';
