// The fonds creator's access right travels with the transfer (p.212): a wrong value in
// dossier.json or in a document's .meta.json is refused when packing, naming the file and the
// field; the manifest's own check names the manifest pointer; a good value reaches the AIP
// metadata, personal data with its 75-year date (build.ts accessOf).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTransfer } from '../../ingest/transfer/index';
import { checkManifestAgainstFiles } from '../../ingest/transfer/check';
import { accessOf, type DossierInput } from '../../ingest/dossier/build';
import { KAZAKH_TEXT } from '../../ingest/transfer/testing/fixtures';
import type { TransferManifest } from '../../validators/schemas/types';

let work: string;

async function tree(name: string, dossierAccess: unknown, documentAccess?: unknown): Promise<string> {
  const root = path.join(work, name);
  await mkdir(path.join(root, '02-5'), { recursive: true });
  await writeFile(path.join(root, 'transfer.json'), JSON.stringify({ organisation: { bin: '123456789012', name: 'Org' }, department: { code: '02', name: 'Dept' }, year: 2025, fonds: '12', people: { compiledBy: { name: 'A. B.', position: 'clerk' } } }));
  await writeFile(path.join(root, '02-5', 'dossier.json'), JSON.stringify({ title: 'Personnel', retention: { kind: 'years', years: 75, article: '597' }, ...(dossierAccess === undefined ? {} : { access: dossierAccess }) }));
  await writeFile(path.join(root, '02-5', '2025-03-01 Бұйрық №12-н.txt'), KAZAKH_TEXT.join('\n') + '\n');
  if (documentAccess !== undefined) await writeFile(path.join(root, '02-5', '2025-03-01 Бұйрық №12-н.txt.meta.json'), JSON.stringify({ access: documentAccess }));
  return root;
}

async function refusal(root: string): Promise<{ where: string; code: string }[]> {
  try {
    await packTransfer(root, path.join(work, `${path.basename(root)}.tar`), { lang: 'en' });
  } catch (error) {
    return ((error as { details: { problems: { where: string; code: string }[] } }).details.problems);
  }
  return [];
}

describe('access right in the transfer (p.212)', () => {
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-access-ingest-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('refuses an unknown kind, naming dossier.json and the field', async () => {
    const problems = await refusal(await tree('bad-kind', { kind: 'secret' }));
    expect(problems.map((p) => p.where)).toEqual(['02-5/dossier.json (manifest.json#/dossiers/0/access/kind)']);
    expect(problems[0]!.code).toBe('transfer.manifest_invalid');
  });

  it("refuses a lift date on an open or ДСП rule and a date that is none, naming the document's .meta.json", async () => {
    const open = await refusal(await tree('open-dated', undefined, { kind: 'official_use', until: '2040-01-01' }));
    expect(open.some((p) => p.where.startsWith('02-5/2025-03-01 Бұйрық №12-н.txt.meta.json (manifest.json#/dossiers/0/documents/0/access'))).toBe(true);
    const bad = await refusal(await tree('bad-date', { kind: 'restricted', until: '2040-13-45' }));
    expect(bad.map((p) => p.where)).toContain('02-5/dossier.json (manifest.json#/dossiers/0/access/until)');
  });

  it('packs a good rule into the manifest, which its own check accepts', async () => {
    const root = await tree('good', { kind: 'personal', beforeLift: 'metadata' }, { kind: 'restricted', until: '2040-01-01', basis: 'Decision 7' });
    const result = await packTransfer(root, path.join(work, 'good.tar'), { lang: 'en' });
    const manifest = result.manifest as TransferManifest;
    expect(manifest.dossiers[0]!.access).toEqual({ kind: 'personal', beforeLift: 'metadata' });
    expect(manifest.dossiers[0]!.documents[0]!.access).toEqual({ kind: 'restricted', until: '2040-01-01', basis: 'Decision 7' });
    const wrong = structuredClone(manifest);
    (wrong.dossiers[0]!.documents[0]!.access as { kind: string }).kind = 'closed';
    expect(checkManifestAgainstFiles(wrong, [], { lang: 'en' }).filter((p) => p.code === 'transfer.manifest_invalid').map((p) => p.where)).toEqual(['manifest.json#/dossiers/0/documents/0/access/kind']);
  });

  it('writes the 75-year lift date of personal data into the AIP metadata', () => {
    const input = { year: 2025, endDate: null, documents: [{ date: '2025-02-01' }, { date: '2025-03-01' }] } as unknown as DossierInput;
    expect(accessOf({ kind: 'personal' }, input)).toEqual({ kind: 'personal', until: '2100-03-01' });
    expect(accessOf({ kind: 'personal', until: '2090-01-01' }, input)).toEqual({ kind: 'personal', until: '2090-01-01' });
    expect(accessOf(undefined, input)).toEqual({ kind: 'open' });
  });
});
