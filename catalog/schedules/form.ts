// App. 31 as a form model (forms/types.ts ScheduleForm): the schedule's rows in order with the
// responsible people, the organisation head's approval and the archive head's signature line.
// Column 5 (note) carries the row's note and, once something came, what came and when.
import type { Kysely } from 'kysely';
import { t } from '../../common/i18n';
import type { Database } from '../../database/database';
import type { FormPerson, FormSignature, FormText, ScheduleForm } from '../../forms/types';
import { initialsAndSurname } from '../nomenclature/form';
import { createScheduleService, type PersonView, type ScheduleRowView } from './schedules.service';

// Column 4 and the signature lines print "инициалы, фамилия" (App. 31), as the nomenclature does.
function formPerson(p: PersonView | null): FormPerson | null {
  return p?.name ? { position: p.position ?? '', name: initialsAndSurname(p.name) } : null;
}

function noteOf(row: ScheduleRowView): FormText | null {
  const parts = (lang: 'kk' | 'ru') =>
    [
      row.note,
      row.state === 'received' || row.state === 'accepted' || row.state === 'overdue'
        ? `${t(lang, `schedules.state_${row.state}`)}${row.transfer ? ` ${row.transfer.receivedAt.slice(0, 10).split('-').reverse().join('.')}` : ''}`
        : null,
    ]
      .filter(Boolean)
      .join('; ');
  const kk = parts('kk');
  const ru = parts('ru');
  return kk || ru ? { kk, ru } : null;
}

export async function loadScheduleForm(db: Kysely<Database>, scheduleId: string): Promise<ScheduleForm> {
  const schedule = await createScheduleService({ db }).get(scheduleId);
  const organisation = await db.selectFrom('organisation').select(['name_kk', 'name_ru', 'fonds_number']).orderBy('created_at').limit(1).executeTakeFirst();
  const orgName: FormText = organisation ? { kk: organisation.name_kk, ru: organisation.name_ru } : '';
  const approvedSignature: FormSignature = {
    person: schedule.approvedBy ? formPerson(schedule.approvedBy) : null,
    date: schedule.approvedAt ? schedule.approvedAt.slice(0, 10) : null,
    // Approved in the catalog (audited step); no CMS over the form is kept.
    signed: false,
    signedAt: schedule.approvedAt,
  };
  return {
    kind: 'schedule',
    id: schedule.id,
    organisation: { name: orgName, fondsNumber: organisation?.fonds_number ?? null },
    approval: { organisation: orgName, signature: approvedSignature },
    documentNumber: schedule.number,
    documentDate: schedule.approvedAt ? schedule.approvedAt.slice(0, 10) : null,
    place: schedule.place,
    year: schedule.year,
    rows: schedule.rows.map((r) => ({
      number: r.position,
      source: { kk: `${r.department.code} ${r.department.nameKk}`, ru: `${r.department.code} ${r.department.nameRu}` },
      deadline: r.deadline,
      responsible: formPerson(r.responsible),
      note: noteOf(r),
    })),
    archiveHead: { person: formPerson(schedule.compiledBy), date: schedule.createdAt.slice(0, 10), signed: false },
  };
}
