// `muragat commission …` in-process through main() against a PGlite catalog in a temporary data
// folder: appoint members, plan a meeting, put a question on its agenda, hold it, record the
// votes cast at the meeting (one with a reservation and a dissent), close voting, draft the
// protocol, export a copy (PDF/A-1b), and sign both copies as the chair and the secretary with
// CMS made outside; errors are translated, with exit code 1 (2 for a refusal of rights). Tests run in order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createSignersService } from '../../accounts/signers.service';
import { parseConfig, setConfig } from '../../common/config';
import { openCatalog } from '../../database/open';
import { signDetached } from '../../validators/signature/index';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { validateBytes } from '../../validators/pdfa';
import { runCli as run } from '../helpers/cli';
import { addTestUser } from './helpers';

let dataDir: string;
let pki: TestPki;

describe('muragat commission', () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'muragat-commission-cli-'));
    pki = await createTestPki(path.join(dataDir, 'pki'));
    const config = parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en', LOG_LEVEL: 'silent', MURAGAT_TRUST_DIR: pki.trustDir });
    setConfig(config);
    process.env.MURAGAT_LANG = 'en';
    process.env.MURAGAT_TRUST_DIR = pki.trustDir;
    const catalog = await openCatalog(config);
    try {
      await addTestUser(catalog.db, 'chair', 'Omarov Serik', ['commission_chair']);
      await addTestUser(catalog.db, 'secretary', 'Abenova Gulnar', ['commission_secretary']);
      await addTestUser(catalog.db, 'member', 'Kim Olga', ['commission_member']);
      const signers = createSignersService({ db: catalog.db });
      await signers.addCertificate(SYSTEM_ACTOR, 'chair', new Uint8Array(readFileSync(pki.signers.rsa.certPath)));
      await signers.addCertificate(SYSTEM_ACTOR, 'secretary', new Uint8Array(readFileSync(pki.signers.ecdsa.certPath)));
    } finally {
      await catalog.close();
    }
  }, 180_000);

  afterAll(() => {
    delete process.env.MURAGAT_LANG;
    delete process.env.MURAGAT_TRUST_DIR;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('appoints members, plans and holds a meeting, records votes and closes voting', async () => {
    for (const [user, role] of [['chair', 'chair'], ['secretary', 'secretary'], ['member', 'member']]) {
      const added = await run('commission', 'member-add', user!, '--role', role!, '--from', '2026-01-01', '--json');
      expect(added.code, added.stderr).toBe(0);
      expect(JSON.parse(added.stdout)).toMatchObject({ username: user, role, termFrom: '2026-01-01', termTo: null });
    }
    const wrongRole = await run('commission', 'member-add', 'member', '--role', 'chair', '--from', '2030-01-01');
    expect(wrongRole.code).toBe(1);
    expect(wrongRole.stderr).toContain('does not hold the role “commission chair”');
    expect(JSON.parse((await run('commission', 'members', '--json')).stdout)).toHaveLength(3);

    const created = await run('commission', 'meeting-create', '--number', '4', '--date', '2026-06-10', '--place', 'Astana', '--json');
    expect(created.code, created.stderr).toBe(0);
    ids.meeting = JSON.parse(created.stdout).id;
    const agenda = await run('commission', 'agenda', ids.meeting!, '--kind', 'extend_retention', '--subject', 'dossier-3', '--title', 'Extend the retention of dossier 02-3', '--json');
    expect(agenda.code, agenda.stderr).toBe(0);
    ids.item = JSON.parse(agenda.stdout).agenda[0].id;
    expect((await run('commission', 'agenda', ids.meeting!)).code).toBe(2);
    const held = await run('commission', 'hold', ids.meeting!, '--present', 'chair,secretary,member', '--json');
    expect(JSON.parse(held.stdout)).toMatchObject({ status: 'held' });
    expect(JSON.parse(held.stdout).present).toHaveLength(3);

    expect((await run('commission', 'vote', ids.item!, '--member', 'chair', '--vote', 'for')).code).toBe(0);
    expect((await run('commission', 'vote', ids.item!, '--member', 'secretary', '--vote', 'for')).code).toBe(0);
    const noDissent = await run('commission', 'vote', ids.item!, '--member', 'member', '--vote', 'for', '--reservation');
    expect(noDissent.code).toBe(1);
    expect(noDissent.stderr).toContain('needs the dissent text');
    expect((await run('commission', 'vote', ids.item!, '--member', 'member', '--vote', 'for', '--reservation', '--dissent', 'Ten years are enough.')).code).toBe(0);
    const twice = await run('commission', 'vote', ids.item!, '--member', 'chair', '--vote', 'against');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('has already voted');
    const closed = await run('commission', 'close', ids.item!, '--json');
    expect(JSON.parse(closed.stdout)).toMatchObject({ outcome: 'adopted', tally: { for: 3, against: 0, abstain: 0, present: 3, inOffice: 3 } });
  }, 120_000);

  it('drafts, exports and signs the protocol', async () => {
    const drafted = await run('commission', 'protocol', 'draft', ids.meeting!, '--json');
    expect(drafted.code, drafted.stderr).toBe(0);
    const renditions = JSON.parse(drafted.stdout).protocol as { id: string; language: string }[];
    expect(renditions.map((r) => r.language)).toEqual(['kk', 'ru']);
    for (const r of renditions) {
      const out = path.join(dataDir, `protocol-${r.language}.pdf`);
      const exported = await run('commission', 'protocol', 'export', r.id, '--out', out, '--json');
      expect(exported.code, exported.stderr).toBe(0);
      const bytes = readFileSync(out);
      expect(validateBytes(bytes).compliant).toBe(true);
      for (const [signer, key] of [['secretary', 'ecdsa'], ['chair', 'rsa']] as const) {
        const cmsFile = path.join(dataDir, `${r.language}-${signer}.p7s`);
        await writeFile(cmsFile, await signDetached(bytes, new Uint8Array(readFileSync(pki.signers[key].p12Path)), pki.password));
        // The member's login with the chair's key: refused (403, exit code 2 as every refusal of rights).
        if (signer === 'chair' && r.language === 'kk') {
          const wrong = await run('commission', 'protocol', 'sign', r.id, cmsFile, '--signer', 'member');
          expect(wrong.code).toBe(2);
          expect(wrong.stderr).toContain('Only the commission chair and secretary in office on 2026-06-10 sign the protocol');
        }
        const signed = await run('commission', 'protocol', 'sign', r.id, cmsFile, '--signer', signer, '--json');
        expect(signed.code, signed.stderr).toBe(0);
      }
    }
    const meeting = JSON.parse((await run('commission', 'meeting', ids.meeting!, '--json')).stdout);
    expect(meeting).toMatchObject({ status: 'protocol_signed', protocolNumber: '4', protocolDate: '2026-06-10' });
    expect(JSON.parse((await run('commission', 'meetings', '--json')).stdout)[0]).toMatchObject({ id: ids.meeting, status: 'protocol_signed' });
  }, 120_000);
});
