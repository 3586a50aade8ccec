#!/usr/bin/env node
// The `cairn` command. Cairn ships its TypeScript sources and runs them through
// tsx's loader, so there is no build step between `npm install` and `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
