// App. 33 as a form model (forms/types.ts AcceptanceActForm): the act's table as it was made,
// the totals, who handed over and who accepted, the state of the documents and the
// organisation head's approval.
import type { Kysely } from 'kysely';
import { t } from '../../common/i18n';
import type { Database } from '../../database/database';
import type { AcceptanceActForm, FormSignature, FormText } from '../../forms/types';
import { initialsAndSurname } from '../nomenclature/form';
import { createAcceptanceService } from './acceptance.service';
import type { ActPerson } from './tables';

function signature(person: ActPerson | null, date: string | null): FormSignature {
  return { person: person ? { position: person.position ?? '', name: initialsAndSurname(person.name) } : null, date, signed: false };
}

/** «Исаев Бауыржан Нұрланұлы» → «Исаев Б. Н.»: the act's blank asks for "фамилия и инициалы"; a name already with initials is kept. */
function surnameAndInitials(fullName: string): string {
  const parts = fullName.trim().split(/\s+/).filter(Boolean);
  if (parts.length < 2 || parts.some((p) => p.includes('.'))) return fullName.trim();
  const [surname, ...given] = parts;
  return `${surname} ${given.map((g) => `${g[0]!.toUpperCase()}.`).join(' ')}`;
}

/** "2025" or "2024–2025" → { from, to }. */
function years(text: string, fallback: number): { from: number; to: number } {
  const m = /^(\d{4})(?:\D+(\d{4}))?$/.exec(text.trim());
  if (!m) return { from: fallback, to: fallback };
  return { from: Number(m[1]), to: Number(m[2] ?? m[1]) };
}

export async function loadAcceptanceActForm(db: Kysely<Database>, actId: string): Promise<AcceptanceActForm> {
  const act = await createAcceptanceService({ db }).getAct(actId);
  const organisation = await db.selectFrom('organisation').select(['name_kk', 'name_ru', 'fonds_number']).orderBy('created_at').limit(1).executeTakeFirst();
  const orgName: FormText = organisation ? { kk: organisation.name_kk, ru: organisation.name_ru } : '';
  const actDate = act.createdAt.slice(0, 10);
  const condition: FormText = act.stateOfDocuments ? act.stateOfDocuments : { kk: t('kk', 'acceptance.state_default'), ru: t('ru', 'acceptance.state_default') };
  return {
    kind: 'acceptance-act',
    id: act.id,
    organisation: { name: orgName, fondsNumber: organisation?.fonds_number ?? null },
    approval: { organisation: orgName, signature: { ...signature(act.approved, act.approvedAt ? act.approvedAt.slice(0, 10) : null), signedAt: act.approvedAt } },
    actNumber: String(act.number),
    actDate,
    transferId: act.transferId,
    years: years(act.recordsYears, act.actYear),
    handedOverBy: surnameAndInitials(act.handedOver.name),
    acceptedBy: surnameAndInitials(act.accepted.name),
    rows: act.rows.map((r) => ({
      number: r.position,
      index: r.volume > 1 ? `${r.index} (${r.volume})` : r.index,
      documents: r.documents,
      files: r.files,
      signed: r.signed,
      unsigned: r.unsigned,
      bytes: r.bytes,
      retention: r.retention,
    })),
    totals: { documents: act.totals.documents, files: act.totals.files, signed: act.totals.signed, unsigned: act.totals.unsigned, bytes: act.totals.bytes },
    condition,
    handedOver: signature(act.handedOver, actDate),
    accepted: signature(act.accepted, actDate),
  };
}
