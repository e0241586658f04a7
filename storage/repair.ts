// Repair from replicas: every stored object lives in the primary store and each replica; when
// an integrity run finds a copy missing or damaged, a sound copy from another store is written
// back under the same digest. The damaged bytes are set aside, never deleted, and nothing is
// ever "repaired" from a copy that does not itself hash to the digest.
import type { ObjectStore } from './object-store';

export interface ObjectRepair {
  sha256: string;
  /** The store whose sound copy was used, when one was found. */
  source: string | null;
  /** Stores that had a missing or damaged copy and now hold a sound one. */
  repaired: { location: string; was: 'missing' | 'damaged'; damagedCopy?: string }[];
  /** Stores still without a sound copy, with the reason. */
  unrepaired: { location: string; reason: string }[];
}

export async function repairObject(sha256: string, stores: ObjectStore[]): Promise<ObjectRepair> {
  const states = await Promise.all(
    stores.map(async (store) => {
      try {
        const v = await store.verify(sha256);
        return { store, state: v.ok ? ('sound' as const) : v.missing ? ('missing' as const) : ('damaged' as const) };
      } catch (error) {
        return { store, state: 'unreadable' as const, error: (error as Error).message };
      }
    }),
  );
  const source = states.find((s) => s.state === 'sound')?.store ?? null;
  const result: ObjectRepair = { sha256, source: source?.location ?? null, repaired: [], unrepaired: [] };
  for (const s of states) {
    if (s.state === 'sound') continue;
    if (!source) {
      result.unrepaired.push({ location: s.store.location, reason: 'no sound copy in any store' });
      continue;
    }
    if (s.state === 'unreadable') {
      result.unrepaired.push({ location: s.store.location, reason: `store unreadable: ${'error' in s ? s.error : ''}` });
      continue;
    }
    try {
      const aside = s.state === 'damaged' ? await s.store.setAsideDamaged(sha256) : null;
      // expectedSha256 makes the store refuse the copy if it changed in transit.
      await s.store.put(source.get(sha256), { expectedSha256: sha256 });
      result.repaired.push({ location: s.store.location, was: s.state, ...(aside ? { damagedCopy: aside.movedTo } : {}) });
    } catch (error) {
      result.unrepaired.push({ location: s.store.location, reason: (error as Error).message });
    }
  }
  return result;
}
