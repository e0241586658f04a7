// The commission's protocol on both engines: drafted by the secretary once every question is
// closed, rendered in Kazakh and Russian as PDF/A-1b (the project's validator), pdftotext finds
// the votes, the decisions, the dissent, and the signers in alphabetical order each with their
// commission role (p.31, p.48); signed with detached CMS by the chair and the secretary from
// their own registered keys (a key of someone else and a plain member are refused); once both
// have signed both renditions the protocol is signed and the decision is effective.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import { createSignersService } from '../../accounts/signers.service';
import { FsObjectStore, type Storage } from '../../storage';
import { signDetached, verifySignature } from '../../validators/signature/index';
import { createTestPki, type TestPki } from '../../validators/signature/testing/test-pki';
import { validateBytes } from '../../validators/pdfa';
import { pdfText } from '../../forms/testing/pdf-text';
import { addMember, castVote, closeVoting, createMeeting, addAgendaItem, decisionOn, holdMeeting } from '../../commission';
import { draftProtocol, readProtocolRendition, signProtocol } from '../../commission/protocol.service';
import { PROTOCOL_TEXT } from '../../commission/protocol';
import { describeEachDatabase } from '../helpers/db';
import { addTestUser } from './helpers';

describeEachDatabase('commission protocol: PDF/A in kk and ru, signers alphabetical, signed by chair and secretary', (getDb) => {
  let work: string;
  let pki: TestPki;
  let storage: Storage;
  const who: Record<string, Actor> = {};
  let meetingId: string;

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-commission-protocol-'));
    pki = await createTestPki(path.join(work, 'pki'));
    storage = { primary: new FsObjectStore(path.join(work, 'a')), replicas: [new FsObjectStore(path.join(work, 'b'))] };
    // Names chosen so that alphabetical order differs from the order of roles.
    who.chair = await addTestUser(db, 'chair', 'Сапаров Дәурен', ['commission_chair']);
    who.secretary = await addTestUser(db, 'secretary', 'Әлиева Гүлнар', ['commission_secretary']);
    who.m1 = await addTestUser(db, 'member1', 'Бекова Сауле', ['commission_member']);
    who.m2 = await addTestUser(db, 'member2', 'Абенов Мұрат', ['commission_member']);
    for (const [key, role] of [['chair', 'chair'], ['secretary', 'secretary'], ['m1', 'member'], ['m2', 'member']] as const) {
      await addMember(db, SYSTEM_ACTOR, { user: who[key]!.username, role, termFrom: '2026-01-01' });
    }
    const signers = createSignersService({ db });
    await signers.addCertificate(SYSTEM_ACTOR, 'chair', new Uint8Array(await readFile(pki.signers.rsa.certPath)));
    await signers.addCertificate(SYSTEM_ACTOR, 'secretary', new Uint8Array(await readFile(pki.signers.ecdsa.certPath)));

    const meeting = await createMeeting(db, who.secretary!, { number: '3', date: '2026-03-12', place: 'Астана, Мәңгілік Ел 8' });
    meetingId = meeting.id;
    await addAgendaItem(db, who.secretary!, meeting.id, { kind: 'destruction_act_approval', subjectId: 'act-7', title: 'Акт № 7 о выделении к уничтожению документов за 2019 год' });
    const held = await holdMeeting(db, who.secretary!, meeting.id, { present: ['chair', 'secretary', 'member1', 'member2'] });
    const item = held.agenda[0]!;
    await castVote(db, who.chair!, item.id, { vote: 'for' });
    await castVote(db, who.secretary!, item.id, { vote: 'for' });
    await castVote(db, who.m1!, item.id, { vote: 'for', reservation: true, dissent: 'Дела 01-12 за 2019 год надо проверить до уничтожения.' });
    await castVote(db, who.m2!, item.id, { vote: 'against', dissent: 'Акт не учитывает судебный запрос.' });
    await expect(draftProtocol({ db, storage }, who.secretary!, meeting.id)).rejects.toMatchObject({ code: 'commission.voting_still_open' });
    expect((await closeVoting(db, who.secretary!, item.id)).outcome).toBe('adopted');
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('renders kk and ru PDF/A-1b with the votes, the decision, the dissents and the signers alphabetical with their roles', async () => {
    const { db } = getDb();
    await expect(draftProtocol({ db, storage }, who.m1!, meetingId)).rejects.toMatchObject({ code: 'commission.secretary_only' });
    const drafted = await draftProtocol({ db, storage }, who.secretary!, meetingId, { number: '3-ЭК', date: '2026-03-13' });
    expect(drafted.status).toBe('protocol_drafted');
    expect(drafted.protocol.map((r) => r.language)).toEqual(['kk', 'ru']);
    for (const rendition of drafted.protocol) {
      const { bytes } = await readProtocolRendition({ db, storage }, rendition.id);
      const report = validateBytes(bytes);
      expect(report.compliant, JSON.stringify(report)).toBe(true);
      const read = await pdfText(bytes);
      if (!read) continue; // pdftotext is not installed: the PDF/A check above still ran.
      const T = PROTOCOL_TEXT[rendition.language];
      const text = read.text;
      expect(text).toContain(T.title);
      expect(text).toContain('№ 3-ЭК');
      expect(text).toContain('13.03.2026');
      expect(text).toContain(T.kind.destruction_act_approval);
      expect(text).toContain(T.voted({ for: 3, against: 1, abstain: 0 }));
      expect(text).toContain(T.outcome.adopted);
      expect(text).toContain('Дела 01-12 за 2019 год надо проверить до уничтожения.');
      expect(text).toContain('Акт не учитывает судебный запрос.');
      // Signers after the heading «Подписи» / «Қолдар», alphabetical, each with their role.
      const signatures = text.slice(text.lastIndexOf(`${T.signatures}:`));
      const expected = rendition.language === 'kk'
        // Kazakh order: А, Ә, Б, … С.
        ? [['Абенов Мұрат', T.role.member], ['Әлиева Гүлнар', T.role.secretary], ['Бекова Сауле', T.role.member], ['Сапаров Дәурен', T.role.chair]]
        // Russian collation has no Ә: it sorts with А, after «Аб…».
        : [['Абенов Мұрат', T.role.member], ['Әлиева Гүлнар', T.role.secretary], ['Бекова Сауле', T.role.member], ['Сапаров Дәурен', T.role.chair]];
      let at = 0;
      for (const [name, role] of expected) {
        const roleAt = signatures.indexOf(role!, at);
        const nameAt = signatures.indexOf(name!, at);
        expect(roleAt, `${rendition.language}: ${role} before ${name} in «${signatures}»`).toBeGreaterThanOrEqual(at);
        expect(nameAt, `${rendition.language}: ${name} in order in «${signatures}»`).toBeGreaterThan(roleAt);
        at = nameAt + name!.length;
      }
      expect(signatures).toContain(`Бекова Сауле (${T.reservation})`);
    }
  }, 120_000);

  it('is signed by the chair and the secretary with their own keys; then the decision is effective', async () => {
    const { db } = getDb();
    const deps = { db, storage, trustDir: pki.trustDir, verifySignature };
    const meeting = (await import('../../commission')).getMeeting;
    const drafted = await meeting(db, meetingId);
    const sign = async (actor: Actor, signer: 'rsa' | 'ecdsa', renditionId: string) => {
      const { bytes } = await readProtocolRendition({ db, storage }, renditionId);
      const cms = await signDetached(bytes, new Uint8Array(await readFile(pki.signers[signer].p12Path)), pki.password);
      return signProtocol(deps, actor, { renditionId, cms });
    };
    const [kk, ru] = drafted.protocol;
    // A member who is neither chair nor secretary, and the chair with the secretary's key: refused.
    await expect(sign(who.m1!, 'rsa', kk!.id)).rejects.toMatchObject({ code: 'commission.protocol_signer_role' });
    await expect(sign(who.chair!, 'ecdsa', kk!.id)).rejects.toMatchObject({ code: 'commission.signature_not_yours' });
    // A signature over other bytes does not verify.
    const other = await signDetached(new TextEncoder().encode('not the protocol'), new Uint8Array(await readFile(pki.signers.rsa.p12Path)), pki.password);
    await expect(signProtocol(deps, who.chair!, { renditionId: kk!.id, cms: other })).rejects.toMatchObject({ code: 'commission.signature_invalid' });

    await sign(who.chair!, 'rsa', kk!.id);
    await expect(sign(who.chair!, 'rsa', kk!.id)).rejects.toMatchObject({ code: 'commission.protocol_signed_already' });
    // Signing has started: no redraft.
    await expect(draftProtocol({ db, storage }, who.secretary!, meetingId)).rejects.toMatchObject({ code: 'commission.protocol_signing_started' });
    await sign(who.secretary!, 'ecdsa', kk!.id);
    await sign(who.chair!, 'rsa', ru!.id);
    expect(await decisionOn(db, 'destruction_act_approval', 'act-7')).toMatchObject({ outcome: 'adopted', protocolSigned: false, protocolNumber: '3-ЭК', protocolDate: '2026-03-13' });
    const signed = await sign(who.secretary!, 'ecdsa', ru!.id);
    expect(signed.status).toBe('protocol_signed');
    expect(signed.protocol.every((r) => r.signatures.map((s) => s.role).sort().join() === 'chair,secretary')).toBe(true);
    expect(await decisionOn(db, 'destruction_act_approval', 'act-7')).toMatchObject({ outcome: 'adopted', protocolSigned: true });
    const actions = (await db.selectFrom('audit_events').select('action').where('action', 'like', 'commission.%').execute()).map((r) => r.action);
    expect(actions.filter((a) => a === 'commission.protocol_sign')).toHaveLength(4);
    expect(actions).toContain('commission.protocol_draft');
    expect(actions).toContain('commission.protocol_signed');
    expect(actions).toContain('commission.decision_effective');
  }, 120_000);
});
