#!/usr/bin/env node
// Runs a TypeScript entry point (bench scripts, tools) through tsx: `node bin/run-ts.js file.ts args…`.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
register();
const [, , entry, ...rest] = process.argv;
if (!entry) { console.error('usage: node bin/run-ts.js <file.ts> [args…]'); process.exit(2); }
process.argv = [process.argv[0], path.resolve(entry), ...rest];
await import(pathToFileURL(path.resolve(entry)).href);
