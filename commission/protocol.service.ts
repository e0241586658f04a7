// The protocol's life: the secretary drafts it once every question is closed (number and date;
// PDF/A-1b in Kazakh and Russian put on every storage copy and recorded), the chair and the
// secretary each sign both renditions with a detached CMS made in the browser from their own
// keys (the mechanism of forms/store.ts: verified over exactly the stored bytes, refused unless
// valid and the certificate is registered to the signer), and once both have signed every
// rendition the meeting's protocol is signed and its decisions become effective. A redraft is
// possible until the first signature; the earlier renditions stay recorded as superseded.
import type { Kysely } from 'kysely';
import { recordAudit, type Actor } from '../audit/audit.service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import type { Database } from '../database/database';
import { putEverywhere } from '../ingest/aip';
import { checkRegisteredSignature, type SignatureVerifier } from '../accounts';
import { readVerifiedBytes, type Storage } from '../storage';
import { assertDate, getMeeting, membershipsOf, type MeetingView, type ProtocolRenditionView } from './commission.service';
import { loadProtocolModel, renderProtocolPdf, type ProtocolLanguage } from './protocol';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const PROTOCOL_LANGUAGES = ['kk', 'ru'] as const satisfies readonly ProtocolLanguage[];

export interface ProtocolDeps {
  db: Kysely<Database>;
  storage: Storage;
}

/**
 * Drafts the protocol: every agenda question closed, the meeting held (or drafted and not yet
 * signed by anyone). Number defaults to the meeting's, date to the meeting date.
 * Audit `commission.protocol_draft`.
 */
export async function draftProtocol(deps: ProtocolDeps, actor: Actor, meetingId: string, input: { number?: unknown; date?: unknown } = {}): Promise<MeetingView> {
  if (actor.userId !== null && !actor.roles.includes('commission_secretary') && !actor.roles.includes('admin')) {
    throw new ForbiddenError('commission.secretary_only', 'commission.secretary_only', { action: 'protocol_draft' });
  }
  const meeting = await getMeeting(deps.db, meetingId);
  if (meeting.status !== 'held' && meeting.status !== 'protocol_drafted') {
    throw new ConflictError('commission.protocol_not_draftable', 'commission.protocol_not_draftable', { number: meeting.number, status: meeting.status });
  }
  if (!meeting.agenda.length) throw new ConflictError('commission.agenda_empty', 'commission.agenda_empty', { number: meeting.number });
  const open = meeting.agenda.find((i) => !i.outcome);
  if (open) throw new ConflictError('commission.voting_still_open', 'commission.voting_still_open', { title: open.title });
  if (meeting.protocol.some((r) => r.signatures.length)) throw new ConflictError('commission.protocol_signing_started', 'commission.protocol_signing_started', { number: meeting.number });
  const number = input.number === undefined || input.number === null || input.number === '' ? meeting.number : String(input.number).trim();
  if (!number || number.length > 50) throw new ValidationError('commission.field_required', 'commission.field_required', { field: 'number' });
  const date = input.date === undefined || input.date === null || input.date === '' ? meeting.date : assertDate(input.date, 'date');
  if (date < meeting.date) throw new ValidationError('commission.protocol_before_meeting', 'commission.protocol_before_meeting', { date, meetingDate: meeting.date });

  const model = await loadProtocolModel(deps.db, meeting.id, { number, date });
  const stored: { language: ProtocolLanguage; title: string; sha256: string; size: number }[] = [];
  for (const lang of PROTOCOL_LANGUAGES) {
    const { bytes, title } = await renderProtocolPdf(model, lang, { author: actor.username });
    const put = await putEverywhere(deps.storage, { bytes });
    stored.push({ language: lang, title, sha256: put.sha256, size: put.size });
  }
  await deps.db.transaction().execute(async (trx) => {
    // Re-checked under the transaction: a signature may have arrived while rendering.
    const signed = await trx
      .selectFrom('commission_protocol_signatures as s')
      .innerJoin('commission_protocol_renditions as r', 'r.id', 's.rendition_id')
      .select('s.id')
      .where('r.meeting_id', '=', meeting.id)
      .where('r.superseded', '=', false)
      .executeTakeFirst();
    if (signed) throw new ConflictError('commission.protocol_signing_started', 'commission.protocol_signing_started', { number: meeting.number });
    await trx.updateTable('commission_protocol_renditions').set({ superseded: true }).where('meeting_id', '=', meeting.id).execute();
    await trx
      .insertInto('commission_protocol_renditions')
      .values(stored.map((s) => ({ meeting_id: meeting.id, language: s.language, title: s.title, sha256: s.sha256, size: s.size, storage_key: s.sha256, created_by: actor.username })))
      .execute();
    await trx
      .updateTable('commission_meetings')
      .set({ status: 'protocol_drafted', protocol_number: number, protocol_date: date, drafted_at: new Date() })
      .where('id', '=', meeting.id)
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'commission.protocol_draft',
      objectType: 'commission_meeting',
      objectId: meeting.id,
      details: { number, date, renditions: stored.map((s) => ({ language: s.language, sha256: s.sha256, size: s.size })) },
    });
  });
  return getMeeting(deps.db, meeting.id);
}

async function renditionRow(db: Kysely<Database>, id: string) {
  const row = UUID.test(id) ? await db.selectFrom('commission_protocol_renditions').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw new NotFoundError('commission.rendition_not_found', 'commission.rendition_not_found', { id });
  return row;
}

/** A protocol rendition's stored bytes, read with verification against their sha256. */
export async function readProtocolRendition(deps: ProtocolDeps, id: string): Promise<{ bytes: Buffer; language: ProtocolLanguage; sha256: string; meetingId: string; title: string }> {
  const row = await renditionRow(deps.db, id);
  return { bytes: await readVerifiedBytes(deps.storage, row.storage_key), language: row.language, sha256: row.sha256, meetingId: row.meeting_id, title: row.title };
}

/**
 * The chair or the secretary (in office on the meeting date, signing as themselves) signs a
 * current protocol rendition with a detached CMS over its stored bytes. When both have signed
 * every current rendition, the protocol is signed: audit `commission.protocol_signed` and one
 * `commission.decision_effective` per decided question. Audit `commission.protocol_sign`.
 */
export async function signProtocol(
  deps: ProtocolDeps & { trustDir?: string; verifySignature: SignatureVerifier },
  actor: Actor,
  input: { renditionId: string; cms: Uint8Array },
): Promise<MeetingView> {
  const rendition = await renditionRow(deps.db, input.renditionId);
  if (rendition.superseded) throw new ConflictError('commission.rendition_superseded', 'commission.rendition_superseded', { id: rendition.id });
  const meeting = await getMeeting(deps.db, rendition.meeting_id);
  if (meeting.status !== 'protocol_drafted') throw new ConflictError('commission.protocol_not_signable', 'commission.protocol_not_signable', { number: meeting.number, status: meeting.status });
  const member = (await membershipsOf(deps.db, actor.userId, meeting.date)).find((m) => m.role === 'chair' || m.role === 'secretary');
  if (!member || (member.role !== 'chair' && member.role !== 'secretary')) {
    throw new ForbiddenError('commission.protocol_signer_role', 'commission.protocol_signer_role', { username: actor.username, date: meeting.date });
  }
  const role = member.role;
  const current = meeting.protocol.find((r) => r.id === rendition.id);
  if (current?.signatures.some((s) => s.role === role)) throw new ConflictError('commission.protocol_signed_already', 'commission.protocol_signed_already', { username: actor.username, language: rendition.language });

  const bytes = await readVerifiedBytes(deps.storage, rendition.storage_key);
  const { signer } = await checkRegisteredSignature(deps.db, deps.verifySignature, { cms: input.cms, content: bytes, trustDir: deps.trustDir, actor }, {
    invalid: (reason, verdict) => new ValidationError('commission.signature_invalid', 'commission.signature_invalid', { language: rendition.language, reason }, { verdict }),
    unregistered: (subject) => new ForbiddenError('commission.signature_unregistered', 'commission.signature_unregistered', { subject }),
    notYours: (subject) => new ForbiddenError('commission.signature_not_yours', 'commission.signature_not_yours', { subject }),
  });
  const cms = await putEverywhere(deps.storage, { bytes: input.cms });

  await deps.db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('commission_protocol_signatures').select('id').where('rendition_id', '=', rendition.id).where('role', '=', role).executeTakeFirst();
    if (taken) throw new ConflictError('commission.protocol_signed_already', 'commission.protocol_signed_already', { username: actor.username, language: rendition.language });
    await trx
      .insertInto('commission_protocol_signatures')
      .values({ rendition_id: rendition.id, member_id: member.id, role, cms_sha256: cms.sha256, signer: JSON.stringify(signer), signed_by: actor.username })
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'commission.protocol_sign',
      objectType: 'commission_meeting',
      objectId: meeting.id,
      details: { role, language: rendition.language, sha256: rendition.sha256, cms: cms.sha256, signer: signer.subject, certificateSerial: signer.serialNumber, certificateIssuer: signer.issuer },
    });
    // Signed when the chair and the secretary have both signed every current rendition.
    const renditions = await trx.selectFrom('commission_protocol_renditions').select('id').where('meeting_id', '=', meeting.id).where('superseded', '=', false).execute();
    const sigs = await trx.selectFrom('commission_protocol_signatures').select(['rendition_id', 'role']).where('rendition_id', 'in', renditions.map((r) => r.id)).execute();
    const complete = renditions.every((r) => ['chair', 'secretary'].every((needed) => sigs.some((s) => s.rendition_id === r.id && s.role === needed)));
    if (!complete) return;
    const done = await trx
      .updateTable('commission_meetings')
      .set({ status: 'protocol_signed', signed_at: new Date() })
      .where('id', '=', meeting.id)
      .where('status', '=', 'protocol_drafted')
      .returning('id')
      .executeTakeFirst();
    if (!done) return;
    await recordAudit(trx, { actor, action: 'commission.protocol_signed', objectType: 'commission_meeting', objectId: meeting.id, details: { number: meeting.protocolNumber, date: meeting.protocolDate } });
    for (const item of meeting.agenda.filter((i) => i.outcome === 'adopted' || i.outcome === 'rejected')) {
      await recordAudit(trx, {
        actor,
        action: 'commission.decision_effective',
        objectType: 'commission_item',
        objectId: item.id,
        details: { kind: item.kind, subject: item.subjectId, outcome: item.outcome, protocol: meeting.protocolNumber, date: meeting.protocolDate },
      });
    }
  });
  return getMeeting(deps.db, meeting.id);
}

export type { ProtocolRenditionView };
