// One thread of the built-in PDF/A checker's pool (builtin-pool.ts). The checker is TypeScript,
// run without a build step: a worker thread does not inherit the parent's loader, so it
// registers tsx itself before loading the checker.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { validateFile } = await import('./builtin.ts');

parentPort.on('message', ({ id, file, timeoutMs, lang }) => {
  let result;
  try {
    result = validateFile(file, { timeoutMs, lang });
  } catch (error) {
    // validateFile turns parse errors into a verdict; what is left is a file that cannot be read.
    parentPort.postMessage({ id, error: { message: error instanceof Error ? error.message : String(error) } });
    return;
  }
  parentPort.postMessage({ id, result });
});
