// node-gost-crypto is CommonJS written for Node: its modules read `global` when they load.
// Browsers have only `globalThis`; this module is imported before the library (ESM evaluates
// imports in order) so the same signing code runs in the browser bundle.
const scope = globalThis as unknown as { global?: unknown };
scope.global ??= globalThis;
export {};
