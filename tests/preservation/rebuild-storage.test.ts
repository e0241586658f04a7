// The catalog rebuild's reading of storage (preservation/rebuild) without an ingest: which
// manifest of an AIP is current (events extend; two that do not are named), a location that
// cannot be listed refuses the rebuild naming it (nothing written), and an object that only
// looks like a manifest is named as unreadable.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { FsObjectStore } from '../../storage';
import { currentManifest, rebuildCatalog } from '../../preservation/rebuild';
import type { AipManifest } from '../../ingest/aip';
import { describeEachDatabase } from '../helpers/db';

const manifest = (events: string[]): AipManifest => ({
  schemaVersion: 'muragat.aip/1',
  aipId: 't/03-12/1',
  dossierIndex: '03-12',
  createdAt: '2026-01-01T00:00:00.000Z',
  files: [],
  tools: [],
  events: events.map((type, i) => ({ at: `2026-01-0${i + 1}T00:00:00.000Z`, type, outcome: 'success' as const })),
});

describe('the current manifest of an AIP', () => {
  it('is the one whose events extend the others', () => {
    const found = [
      { sha256: 'a', manifest: manifest(['ingest.store']) },
      { sha256: 'c', manifest: manifest(['ingest.store', 'dossier.sign_inventory', 'dossier.sign_integrity']) },
      { sha256: 'b', manifest: manifest(['ingest.store', 'dossier.sign_inventory']) },
    ];
    const { head, diverged } = currentManifest(found);
    expect(head.sha256).toBe('c');
    expect(diverged).toEqual([]);
  });

  it('names a manifest that does not extend the head (a lost race)', () => {
    const found = [
      { sha256: 'a', manifest: manifest(['ingest.store', 'dossier.sign_inventory']) },
      { sha256: 'b', manifest: manifest(['ingest.store', 'inventory.approve', 'dossier.sign_integrity']) },
    ];
    const { head, diverged } = currentManifest(found);
    expect(head.sha256).toBe('b');
    expect(diverged.map((d) => d.sha256)).toEqual(['a']);
  });
});

describeEachDatabase('catalog rebuild: storage that cannot be read', (getDb) => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'muragat-rebuild-storage-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('names a location it cannot list and an object that only looks like a manifest; writes nothing', async () => {
    const good = new FsObjectStore(path.join(root, 'good'));
    // A location whose root is a file: it can be neither created nor listed.
    await writeFile(path.join(root, 'not-a-folder'), 'x');
    const bad = new FsObjectStore(path.join(root, 'not-a-folder'));
    const fake = await good.put(Buffer.from('{"aipId":"broken'));
    const { db } = getDb();
    const report = await rebuildCatalog({ db, storage: { primary: good, replicas: [bad] } }, { actor: SYSTEM_ACTOR });
    expect(report).toMatchObject({ ok: false, written: false, objectsScanned: 1, manifestsFound: 1 });
    expect(report.problems.map((p) => [p.code, p.params.location ?? p.params.manifest])).toEqual([
      ['rebuild.location_unreadable', bad.location],
      ['rebuild.manifest_unreadable', fake.sha256],
    ]);
    expect(report.problems[0]!.message).toContain(bad.location);
    expect(await db.selectFrom('audit_events').select('id').execute()).toEqual([]);
    expect(await db.selectFrom('transfers').select('id').execute()).toEqual([]);
  });
});
