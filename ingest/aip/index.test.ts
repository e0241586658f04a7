// A sealed AIP's manifest is stored only after its sealer has recorded every envelope (the
// catalog rows that let readers find them): a failure to record leaves no manifest behind.
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../common/hash';
import type { Storage } from '../../storage';
import { AipBuilder, type AipSealer } from './index';

function recordingStorage(order: string[], stored: Buffer[]): Storage {
  const store = {
    async put(bytes: Uint8Array) {
      order.push('store');
      stored.push(Buffer.from(bytes));
      return { sha256: sha256Hex(bytes), size: bytes.length };
    },
    async putFile() {
      throw new Error('not used here');
    },
  };
  return { primary: store, replicas: [] } as unknown as Storage;
}

describe('AipBuilder.seal with a sealer', () => {
  it('stores the manifest only after the sealed objects are recorded', async () => {
    const order: string[] = [];
    const stored: Buffer[] = [];
    let recordFails = true;
    const sealer: AipSealer = {
      keyId: 'key-1',
      async put(source) {
        const bytes = 'bytes' in source ? source.bytes : Buffer.alloc(0);
        order.push('seal');
        return { sha256: sha256Hex(bytes), sealedSha256: 'e'.repeat(64), size: bytes.length };
      },
      async recorded() {
        order.push('recorded');
        if (recordFails) throw new Error('catalog unavailable');
      },
    };
    const aip = new AipBuilder(recordingStorage(order, stored), sealer);
    await aip.addBytes('documents/0001/original.txt', 'original', Buffer.from('Құжат мәтіні'));
    const header = { aipId: 't/03-01/1', dossierIndex: '03-01' } as unknown as Parameters<AipBuilder['seal']>[0];

    await expect(aip.seal(header)).rejects.toThrow('catalog unavailable');
    // The content was sealed and the clear sealing map stored; the manifest naming them was not.
    expect(order).toEqual(['seal', 'store', 'recorded']);
    expect(stored.map((b) => JSON.parse(b.toString('utf8')).schemaVersion)).toEqual(['muragat.sealing/1']);

    recordFails = false;
    const { manifest } = await aip.seal(header);
    expect(order.slice(3)).toEqual(['store', 'recorded', 'store']);
    expect(JSON.parse(stored.at(-1)!.toString('utf8'))).toMatchObject({ schemaVersion: 'muragat.aip/1', aipId: 't/03-01/1' });
    expect(manifest.files.map((f) => f.path)).toEqual(['documents/0001/original.txt', 'sealing.json']);
  });
});
