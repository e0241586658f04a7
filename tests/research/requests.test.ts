// Researchers, copy requests and certified copies on both engines (issue 13): registration and
// the archivist's confirmation, the request lifecycle with refusals and their reasons, a
// researcher never seeing another's requests, copies that pass the PDF/A-1b validator, carry
// the certification text and the requester's watermark (pdftotext), verify as CMS by the
// archive's system key, a package whose manifest hashes match its files, and a link that
// expires (410, the request expired and audited).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR, listAuditEvents, type Actor } from '../../audit/audit.service';
import { createUsersService, type UsersService } from '../../accounts/users.service';
import { parseConfig, type Config } from '../../common/config';
import { runIngest } from '../../ingest';
import { openStorage, type Storage } from '../../storage';
import { validateBytes } from '../../validators/pdfa';
import { verifySignature } from '../../validators/signature';
import { expectPdfA1b, pdfText } from '../../ingest/convert/test-helpers';
import {
  STAMP,
  approveRequest,
  decideResearcher,
  deliverRequest,
  downloadByToken,
  downloadForUser,
  expireRequests,
  getRequest,
  listNotifications,
  listRequests,
  loadArchiveSigner,
  makeCopies,
  printCopies,
  refuseRequest,
  registerResearcher,
  submitRequest,
  unpack,
  type CopiesDeps,
} from '../../research';
import { describeEachDatabase } from '../helpers/db';
import { packTextDossier } from '../server/helpers';
import { createHash } from 'node:crypto';
import { runProcess } from '../../common/process';

const PASSWORD = 'reading-Room-2026!';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const DAY = 24 * 60 * 60 * 1000;

describeEachDatabase('research: requests and certified copies', (getDb) => {
  let work: string;
  let config: Config;
  let storage: Storage;
  let users: UsersService;
  let deps: CopiesDeps;
  let dossierId = '';
  let archivist: Actor;
  let aigul: Actor;
  let bolat: Actor;

  const actorOf = async (username: string): Promise<Actor> => {
    const u = await users.get(username);
    return { userId: u.id, username: u.username, roles: u.roles };
  };

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-research-'));
    config = parseConfig({ MURAGAT_DATA_DIR: path.join(work, 'data'), MURAGAT_TRUST_DIR: path.join(work, 'trust'), MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    storage = openStorage(config);
    users = createUsersService({ db });
    const tar = await packTextDossier(work, { index: '04-08', title: 'Кадрлар бойынша бұйрықтар', kazakhOrder: '4-н', russianOrder: '10-н' });
    const report = await runIngest({ db, storage, config }, { tarPath: tar });
    const d = report.dossiers[0]!;
    expect(d.documents.every((doc) => doc.status === 'accepted'), JSON.stringify(report)).toBe(true);
    dossierId = d.id!;
    await users.add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Әбенова Гүлнар Серікқызы', position: 'мұрағатшы', roles: ['archivist'] });
    archivist = await actorOf('keeper');
    deps = { db, storage, dataDir: config.dataDir, keyDir: path.join(config.dataDir, 'keys') };
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('a self-registered researcher waits for the archivist, who is notified and confirms', async () => {
    const { db } = getDb();
    const profile = await registerResearcher({ db, users }, null, {
      username: 'aigul', password: PASSWORD, fullName: 'Айгүл Сәрсенбаева', organisation: 'ҚазҰУ', email: 'aigul@example.kz', purpose: 'Диссертация: 2025 жылғы кадр саясаты',
    });
    expect(profile).toMatchObject({ status: 'pending', registeredBy: 'self', username: 'aigul' });
    aigul = await actorOf('aigul');
    expect(aigul.roles).toEqual(['researcher']);
    // No request before the confirmation, named.
    await expect(submitRequest(db, aigul, { items: [{ dossierId }] })).rejects.toMatchObject({ code: 'research.researcher_not_confirmed', status: 403 });
    const notes = await listNotifications(db, archivist.userId!);
    expect(notes.notifications.map((n) => n.kind)).toContain('researcher_registered');
    // A refusal needs a reason; a confirmation is audited and told to the researcher.
    await expect(decideResearcher(db, archivist, profile.id, { confirm: false, reason: '  ' })).rejects.toMatchObject({ code: 'research.field_required' });
    await expect(decideResearcher(db, aigul, profile.id, { confirm: true })).rejects.toMatchObject({ code: 'research.archivist_only', status: 403 });
    expect((await decideResearcher(db, archivist, profile.id, { confirm: true })).status).toBe('confirmed');
    expect((await listNotifications(db, aigul.userId!)).notifications[0]).toMatchObject({ kind: 'researcher_confirmed', read: false });
    const events = await listAuditEvents(db, { objectType: 'researcher', objectId: profile.id });
    expect(events.map((e) => e.action).sort()).toEqual(['researcher.confirm', 'researcher.register']);
    // Registration at the desk: confirmed at once, contacts required.
    await expect(
      registerResearcher({ db, users }, archivist, { username: 'nocontact', password: PASSWORD, fullName: 'X', organisation: 'Y', purpose: 'Z' }),
    ).rejects.toMatchObject({ code: 'research.contact_required' });
    const desk = await registerResearcher({ db, users }, archivist, { username: 'bolat', password: PASSWORD, fullName: 'Болат Ахметов', organisation: 'Тарих институты', phone: '+7 701 000 00 00', purpose: 'Мақала' });
    expect(desk).toMatchObject({ status: 'confirmed', registeredBy: 'archivist', decidedBy: 'keeper' });
    bolat = await actorOf('bolat');
  });

  it('self-registrations from one address are bounded per day (429), counted from the audit log', async () => {
    const { db } = getDb();
    const ip = '198.51.100.23';
    const apply = (n: number) =>
      registerResearcher({ db, users }, null, { username: `applicant${n}`, password: PASSWORD, fullName: `Өтініш беруші ${n}`, organisation: 'Кітапхана', phone: '+7 727 000 00 00', purpose: 'Оқу' }, { ip });
    for (let n = 0; n < 10; n++) await apply(n);
    await expect(apply(10)).rejects.toMatchObject({ code: 'research.too_many_registrations', status: 429 });
    // Another address is not affected.
    await expect(registerResearcher({ db, users }, null, { username: 'elsewhere', password: PASSWORD, fullName: 'Басқа', organisation: 'Мектеп', phone: '+7 727 111 11 11', purpose: 'Оқу' }, { ip: '203.0.113.5' })).resolves.toMatchObject({ status: 'pending' });
  }, 120_000);

  it('lifecycle with a refusal and its reason; a researcher never sees another researcher\'s request', async () => {
    const { db } = getDb();
    await expect(submitRequest(db, aigul, { items: [] })).rejects.toMatchObject({ code: 'research.items_required' });
    await expect(submitRequest(db, aigul, { items: [{ dossierId: '00000000-0000-4000-8000-000000000000' }] })).rejects.toMatchObject({ code: 'research.item_not_found', status: 404 });
    await expect(submitRequest(db, aigul, { items: [{ dossierId, documentPosition: 9 }] })).rejects.toMatchObject({ code: 'research.item_not_found' });
    await expect(submitRequest(db, archivist, { items: [{ dossierId }] })).rejects.toMatchObject({ code: 'research.researcher_only' });

    const now = new Date();
    const request = await submitRequest(db, bolat, { items: [{ dossierId, documentPosition: 1 }], purpose: 'Мақала үшін' }, { now });
    expect(request).toMatchObject({ status: 'submitted', overdue: false, purpose: 'Мақала үшін' });
    expect(request.number).toMatch(/^\d{4}\/\d{5}$/);
    expect(new Date(request.dueAt).getTime() - now.getTime()).toBe(15 * DAY);
    expect((await getRequest(db, bolat, request.id, new Date(now.getTime() + 16 * DAY))).overdue).toBe(true);

    // Another researcher: not in the list, and the request itself answers like a missing one.
    expect((await listRequests(db, aigul)).map((r) => r.id)).not.toContain(request.id);
    await expect(getRequest(db, aigul, request.id)).rejects.toMatchObject({ code: 'research.request_not_found', status: 404 });
    await expect(downloadForUser(deps, aigul, request.id)).rejects.toMatchObject({ status: 404 });
    expect((await listRequests(db, archivist)).map((r) => r.id)).toContain(request.id);

    await expect(refuseRequest(db, archivist, request.id, '')).rejects.toMatchObject({ code: 'research.reason_required', status: 400 });
    await expect(refuseRequest(db, bolat, request.id, 'өзіме')).rejects.toMatchObject({ code: 'research.archivist_only' });
    const refused = await refuseRequest(db, archivist, request.id, 'Құжат сұралған тақырыпқа қатысты емес');
    expect(refused).toMatchObject({ status: 'refused', refusalReason: 'Құжат сұралған тақырыпқа қатысты емес', decidedBy: 'keeper' });
    // A decided request cannot be approved any more; the conflict names it and its state.
    await expect(approveRequest(db, archivist, request.id)).rejects.toMatchObject({ code: 'research.request_status_conflict', params: { number: request.number, status: 'refused' } });
    const note = (await listNotifications(db, bolat.userId!)).notifications.find((n) => n.kind === 'request_refused');
    expect(note?.params).toMatchObject({ number: request.number, reason: 'Құжат сұралған тақырыпқа қатысты емес' });
    const events = (await listAuditEvents(db, { objectType: 'research_request', objectId: request.id })).map((e) => e.action);
    expect(events).toEqual(expect.arrayContaining(['research_request.submit', 'research_request.refuse']));
  });

  it('certified copies: PDF/A-1b, certification text and watermark, CMS by the system key, manifest, expiring link', async () => {
    const { db } = getDb();
    const now = new Date();
    const request = await submitRequest(db, aigul, { items: [{ dossierId }], delivery: 'electronic' }, { now });
    await expect(makeCopies(deps, archivist, request.id)).rejects.toMatchObject({ code: 'research.request_status_conflict' });
    expect((await approveRequest(db, archivist, request.id, now)).status).toBe('approved');
    const progress: number[] = [];
    const made = await makeCopies(deps, archivist, request.id, { now, onProgress: (p) => progress.push(p.done) });
    expect(made.request.status).toBe('copies_ready');
    expect(made.copies).toHaveLength(2);
    expect(progress.at(-1)).toBe(2);

    const signer = await loadArchiveSigner(deps.keyDir);
    const download = await downloadForUser(deps, archivist, request.id, { now });
    expect(sha256(download.bytes)).toBe(made.sha256);
    const files = unpack(download.bytes);
    expect(Object.keys(files).sort()).toEqual(expect.arrayContaining(['README.txt', 'manifest.json', 'manifest.json.p7s', 'system-certificate.pem', 'verification-report.json']));
    expect(new TextDecoder().decode(files['README.txt'])).toContain(STAMP.kk);

    // Every file's hash in the manifest matches the file; the manifest itself is signed.
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as { request: string; files: { path: string; sha256: string; size: number }[] };
    expect(manifest.request).toBe(request.number);
    for (const f of manifest.files) {
      expect(files[f.path], f.path).toBeDefined();
      expect(sha256(files[f.path]!), f.path).toBe(f.sha256);
      expect(files[f.path]!.length).toBe(f.size);
    }
    const manifestCheck = await verifySignature({ signature: files['manifest.json.p7s']!, content: files['manifest.json']!, trustDir: signer.trustDir });
    expect(manifestCheck.verdict, JSON.stringify(manifestCheck.signers[0]?.checks.filter((c) => c.ok !== true))).toBe('valid');

    for (const copy of made.copies) {
      const pdf = files[copy.name]!;
      const pdfa = validateBytes(pdf);
      expect(pdfa.compliant, JSON.stringify(pdfa.failures)).toBe(true);
      const check = await verifySignature({ signature: files[copy.signature]!, content: pdf, trustDir: signer.trustDir });
      expect(check.verdict, JSON.stringify(check)).toBe('valid');
      expect(copy.verdict).toBe('valid');
      // A changed byte no longer verifies.
      const tampered = Uint8Array.from(pdf);
      tampered[tampered.length >> 1]! ^= 1;
      expect((await verifySignature({ signature: files[copy.signature]!, content: tampered, trustDir: signer.trustDir })).verdict).toBe('invalid');
      const file = path.join(work, 'copy.pdf');
      await writeFile(file, pdf);
      // qpdf's structure check, the PDF 1.4 header, OutputIntent, XMP claim and the validator again.
      await expectPdfA1b(file);
      // The recipient's check the README gives: OpenSSL against the certificate in the package.
      await writeFile(`${file}.p7s`, files[copy.signature]!);
      await writeFile(path.join(work, 'system-certificate.pem'), files['system-certificate.pem']!);
      const openssl = await runProcess('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', `${file}.p7s`, '-content', file, '-CAfile', path.join(work, 'system-certificate.pem'), '-purpose', 'any', '-out', '/dev/null'], { timeoutMs: 60_000 });
      expect(openssl.code, openssl.stderr.toString()).toBe(0);
      const text = (await pdfText(file)).replace(/\s+/g, ' ');
      expect(text).toContain(STAMP.kk.toUpperCase());
      expect(text).toContain(STAMP.ru.toUpperCase());
      expect(text).toContain(`Көшірме / Копия: Айгүл Сәрсенбаева (ҚазҰУ) · № ${request.number}`);
      expect(text).toContain('Результат проверки ЭЦП подлинника');
      expect(text).toContain(`Номер запроса: ${request.number}`);
      expect(text).toContain('Заверил: мұрағатшы Әбенова Гүлнар Серікқызы');
      expect(text).toContain(`Количество листов: ${copy.sheets}`);
    }
    const report = JSON.parse(new TextDecoder().decode(files['verification-report.json'])) as { copies: { signature: { verdict: string } }[] };
    expect(report.copies.map((c) => c.signature.verdict)).toEqual(['valid', 'valid']);

    // The print view: every copy in one PDF (archivist only).
    const print = await printCopies(deps, archivist, request.id, now);
    expect(Buffer.from(print.bytes.subarray(0, 5)).toString()).toBe('%PDF-');
    await expect(printCopies(deps, aigul, request.id, now)).rejects.toMatchObject({ code: 'research.archivist_only' });

    // The link: unknown token 404; valid → the package, audited, the request delivered; after expiry 410.
    await expect(downloadByToken(deps, 'x'.repeat(43), { now })).rejects.toMatchObject({ code: 'research.link_unknown', status: 404 });
    const byLink = await downloadByToken(deps, made.token, { now, ip: '192.0.2.7' });
    expect(sha256(byLink.bytes)).toBe(made.sha256);
    expect((await getRequest(db, aigul, request.id, now)).status).toBe('delivered');
    const later = new Date(new Date(made.expiresAt).getTime() + 1000);
    await expect(downloadByToken(deps, made.token, { now: later })).rejects.toMatchObject({ code: 'research.link_expired', status: 410 });
    await expect(downloadForUser(deps, aigul, request.id, { now: later })).rejects.toMatchObject({ status: 410 });
    const actions = (await listAuditEvents(db, { objectType: 'research_request', objectId: request.id })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['research_request.approve', 'research_request.copies', 'research_package.download', 'research_request.deliver', 'research_request.print', 'research_package.expired_link']));
  }, 180_000);

  it('copies nobody downloaded expire with their link; paper copies are handed over', async () => {
    const { db } = getDb();
    const now = new Date();
    const electronic = await submitRequest(db, bolat, { items: [{ dossierId, documentPosition: 2 }] }, { now });
    await approveRequest(db, archivist, electronic.id, now);
    const made = await makeCopies(deps, archivist, electronic.id, { now, linkDays: 1 });
    expect(made.copies).toHaveLength(1);
    expect(await expireRequests(db, new Date(now.getTime() + 2 * DAY))).toBeGreaterThanOrEqual(1);
    const expired = await getRequest(db, bolat, electronic.id, new Date(now.getTime() + 2 * DAY));
    expect(expired.status).toBe('expired');
    expect(expired.package?.expired).toBe(true);
    expect((await listNotifications(db, bolat.userId!)).notifications.map((n) => n.kind)).toContain('request_expired');

    const paper = await submitRequest(db, bolat, { items: [{ dossierId, documentPosition: 1 }], delivery: 'paper', language: 'ru' }, { now });
    await approveRequest(db, archivist, paper.id, now);
    await makeCopies(deps, archivist, paper.id, { now });
    // The archivist's own download is not the hand-over.
    await downloadForUser(deps, archivist, paper.id, { now });
    expect((await getRequest(db, archivist, paper.id, now)).status).toBe('copies_ready');
    expect((await deliverRequest(db, archivist, paper.id, now)).status).toBe('delivered');
    await expect(deliverRequest(db, archivist, paper.id, now)).rejects.toMatchObject({ code: 'research.request_status_conflict' });
  }, 180_000);

  it('an item the researcher may not get in full blocks approval and copying, named', async () => {
    const { db } = getDb();
    const now = new Date();
    const request = await submitRequest(db, aigul, { items: [{ dossierId, documentPosition: 2 }] }, { now });
    // The fonds creator restricts the document until a later date (p.212).
    const until = new Date(now.getTime() + 365 * DAY).toISOString().slice(0, 10);
    const row = await db.selectFrom('dossier_documents').select(['metadata', 'document_id']).where('dossier_id', '=', dossierId).where('position', '=', 2).executeTakeFirstOrThrow();
    const original = row.metadata;
    await db.updateTable('dossier_documents').set({ metadata: JSON.stringify({ ...(original as object), access: { kind: 'restricted', until } }) }).where('dossier_id', '=', dossierId).where('position', '=', 2).execute();
    try {
      await expect(approveRequest(db, archivist, request.id, now)).rejects.toMatchObject({ code: 'research.items_not_open', status: 409 });
      // The whole dossier holding it is blocked too, the document named.
      const whole = await submitRequest(db, aigul, { items: [{ dossierId }] }, { now });
      await expect(approveRequest(db, archivist, whole.id, now)).rejects.toMatchObject({ code: 'research.items_not_open', details: { items: [expect.objectContaining({ label: expect.stringContaining('— №2') })] } });
      await refuseRequest(db, archivist, whole.id, 'Құжат № 2 жабық', now);
      expect((await getRequest(db, archivist, request.id, now)).status).toBe('submitted');
      // After the lift date it opens by itself.
      const after = new Date(new Date(`${until}T00:00:00Z`).getTime() + DAY);
      expect((await approveRequest(db, archivist, request.id, after)).status).toBe('approved');
    } finally {
      await db.updateTable('dossier_documents').set({ metadata: JSON.stringify(original) }).where('dossier_id', '=', dossierId).where('position', '=', 2).execute();
    }
  });
});
