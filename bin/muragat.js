#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript run through tsx, so the checkout works without a build step.
import { register } from 'tsx/esm/api';
register();
await import('../cli/main.ts');
