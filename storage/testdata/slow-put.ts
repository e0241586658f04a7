// Child process for the crash test: starts a put that never finishes, announces when bytes
// are on disk, and waits to be killed.
import { Readable } from 'node:stream';
import { FsObjectStore } from '../fs-object-store';

const root = process.argv[2]!;
const store = new FsObjectStore(root);
let sent = 0;
const source = new Readable({
  read() {
    if (sent === 0) {
      sent++;
      this.push(Buffer.alloc(64 * 1024, 7));
      setTimeout(() => process.stdout.write('writing\n'), 200);
    }
    // never ends: the parent kills us mid-write
  },
});
void store.put(source);
setInterval(() => {}, 1000);
