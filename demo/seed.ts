// Demo data for `npm start` and the browser tests: one organisation, three departments, one
// user per role and this year's nomenclature. Idempotent: whatever exists is left as it is,
// so running it on every start neither duplicates rows nor resets changed passwords.
import type { Kysely } from 'kysely';
import { SYSTEM_ACTOR } from '../audit/audit.service';
import type { Database } from '../database/database';
import { createNomenclatureService, type AddItemInput } from '../catalog/nomenclature';
import { createOrganisationService, type DepartmentView, type OrganisationView } from '../catalog/organisation.service';
import type { Role } from '../accounts/roles';
import { createUsersService } from '../accounts/users.service';
import { findUser } from '../accounts/users.repository';
import { importDemoRetentionList } from '../catalog/retention';
import { seedDemoCommission } from '../commission/demo';
import { seedDemoResearcher } from '../research/demo';

export const DEMO_ORGANISATION = {
  nameKk: 'Алматы облысы әкімдігінің «Өңірлік даму басқармасы» мемлекеттік мекемесі',
  nameRu: 'Государственное учреждение «Управление регионального развития акимата Алматинской области»',
  shortNameKk: '«Өңірлік даму басқармасы» ММ',
  shortNameRu: 'ГУ «Управление регионального развития»',
  bin: '140540012345',
  fondsNumber: '1245',
};

export const DEMO_DEPARTMENTS = [
  { code: '01', nameKk: 'Басшылық', nameRu: 'Руководство' },
  { code: '02', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' },
  { code: '03', nameKk: 'Бухгалтерия', nameRu: 'Бухгалтерия' },
] as const;

interface DemoUser {
  username: string;
  fullName: string;
  position: string;
  roles: Role[];
  department: string | null;
  language: 'kk' | 'ru';
}

export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'admin', fullName: 'Мұқанов Ержан Қайратұлы', position: 'Жүйе әкімшісі', roles: ['admin'], department: '01', language: 'kk' },
  { username: 'archivist', fullName: 'Әбенова Гүлнар Серікқызы', position: 'Мұрағатшы', roles: ['archivist'], department: '01', language: 'kk' },
  { username: 'clerk', fullName: 'Төлеуова Айжан Болатқызы', position: 'Іс жүргізуші', roles: ['department_clerk'], department: '02', language: 'kk' },
  { username: 'head', fullName: 'Жақыпов Нұрлан Асқарұлы', position: 'Кадр бөлімінің басшысы', roles: ['department_head'], department: '02', language: 'kk' },
  { username: 'chair', fullName: 'Оразбаев Бақыт Серікұлы', position: 'Басшының орынбасары, СК төрағасы', roles: ['commission_chair'], department: '01', language: 'kk' },
  { username: 'secretary', fullName: 'Сейітова Динара Маратқызы', position: 'СК хатшысы', roles: ['commission_secretary'], department: '01', language: 'ru' },
  { username: 'member', fullName: 'Құдайбергенов Асхат Ерланұлы', position: 'Бас бухгалтер, СК мүшесі', roles: ['commission_member'], department: '03', language: 'kk' },
  { username: 'researcher', fullName: 'Бекова Әлия Нұрланқызы', position: 'Зерттеуші', roles: ['researcher'], department: null, language: 'ru' },
  { username: 'records', fullName: 'Нұрланова Салтанат Ерболқызы', position: 'Құжаттамалық қамтамасыз ету қызметінің басшысы', roles: ['records_head'], department: '01', language: 'kk' },
  { username: 'director', fullName: 'Серікбаев Арман Болатұлы', position: 'Басқарма басшысы', roles: ['organisation_head'], department: '01', language: 'kk' },
];

/** Demo logins: public by design, yet long enough for the password policy (12 characters). */
export function demoPassword(username: string): string {
  return `demo-${username}-muragat`;
}

// Headings in Kazakh as kept in the nomenclature; article numbers refer to the standard
// retention list and are illustrative for the demo.
export const DEMO_NOMENCLATURE_ITEMS: readonly AddItemInput[] = [
  { departmentCode: '01', heading: 'Басшының негізгі қызмет бойынша бұйрықтары', retention: { kind: 'permanent', article: '26а' } },
  { departmentCode: '01', heading: 'Жоғары тұрған органдармен хат алмасу', retention: { kind: 'years_epk', years: 5, article: '23' } },
  { departmentCode: '02', heading: 'Жеке құрам бойынша бұйрықтар', retention: { kind: 'years', years: 75, article: '657а' } },
  { departmentCode: '02', heading: 'Қызметкерлердің жеке істері', retention: { kind: 'years', years: 75, article: '662' } },
  { departmentCode: '02', heading: 'Еңбек демалыстары туралы бұйрықтар', retention: { kind: 'years', years: 5, article: '657б' } },
  { departmentCode: '03', heading: 'Жылдық қаржылық есептілік', retention: { kind: 'permanent', article: '155' } },
  { departmentCode: '03', heading: 'Бастапқы есепке алу құжаттары', retention: { kind: 'years', years: 5, article: '147' } },
  { departmentCode: '03', heading: 'Анықтамалық сипаттағы хат алмасу', retention: { kind: 'until_needed', article: '700' } },
];

/** The chain of p.133 as the demo people would have walked it in December of the year before. */
async function approveDemoNomenclature(nomenclatures: ReturnType<typeof createNomenclatureService>, year: number): Promise<void> {
  const person = (username: string) => DEMO_USERS.find((u) => u.username === username)!;
  const steps = [
    { step: 'records_head', date: `${year - 1}-12-01`, by: person('records') },
    { step: 'expert_commission', date: `${year - 1}-12-05`, protocolNumber: '7', by: person('secretary') },
    { step: 'state_review', date: `${year - 1}-12-12`, protocolNumber: '12', by: person('secretary') },
    { step: 'organisation_head', date: `${year - 1}-12-20`, by: person('director') },
  ] as const;
  for (const s of steps) {
    await nomenclatures.recordStep(SYSTEM_ACTOR, year, { step: s.step, date: s.date, protocolNumber: 'protocolNumber' in s ? s.protocolNumber : null, name: s.by.fullName, position: s.by.position });
  }
}

export interface SeedResult {
  organisation: OrganisationView;
  departments: DepartmentView[];
  users: { username: string; password: string; roles: Role[] }[];
  nomenclature: { year: number; items: number };
}

export async function seedDemo(db: Kysely<Database>, options: { year?: number } = {}): Promise<SeedResult> {
  const year = options.year ?? new Date().getFullYear();
  const organisations = createOrganisationService({ db });
  const users = createUsersService({ db });
  const nomenclatures = createNomenclatureService({ db });

  const organisation = (await organisations.get()) ?? (await organisations.save(SYSTEM_ACTOR, DEMO_ORGANISATION));

  const byCode = new Map((await organisations.listDepartments()).map((d) => [d.code, d]));
  for (const department of DEMO_DEPARTMENTS) {
    if (!byCode.has(department.code)) byCode.set(department.code, await organisations.addDepartment(SYSTEM_ACTOR, department));
  }

  for (const user of DEMO_USERS) {
    if (await findUser(db, user.username)) continue;
    await users.add(SYSTEM_ACTOR, {
      username: user.username,
      password: demoPassword(user.username),
      fullName: user.fullName,
      position: user.position,
      roles: user.roles,
      departmentId: user.department ? (byCode.get(user.department)?.id ?? null) : null,
      language: user.language,
    });
  }

  // This year's nomenclature through the whole approval chain, the personal files carried over
  // from last year. Only this year: the demo transfer and the browser tests' packages are last
  // year's, which precedes the catalog's first nomenclature and so is not checked (p.156,
  // catalog/nomenclature/ingest-check.ts); the browser test copies it into next year's draft.
  // The demo retention list before the nomenclature: its items cite the list's articles.
  await importDemoRetentionList(db, SYSTEM_ACTOR);

  if (!(await nomenclatures.list()).some((n) => n.year === year)) {
    await nomenclatures.create(SYSTEM_ACTOR, year);
    for (const item of DEMO_NOMENCLATURE_ITEMS) {
      const carried = item.departmentCode === '02' && item.heading === 'Қызметкерлердің жеке істері';
      await nomenclatures.addItem(SYSTEM_ACTOR, year, carried ? { ...item, carriedOver: true, carriedFromYear: year - 1 } : item);
    }
    await approveDemoNomenclature(nomenclatures, year);
  }
  const nomenclature = await nomenclatures.get(year);
  // The expert commission of the demo users with commission roles (issue 12).
  await seedDemoCommission(db, year);
  // The demo researcher admitted to the reading room, so copy requests can be tried (issue 13).
  await seedDemoResearcher(db);

  return {
    organisation,
    departments: [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code)),
    users: DEMO_USERS.map((u) => ({ username: u.username, password: demoPassword(u.username), roles: [...u.roles] })),
    nomenclature: { year, items: nomenclature.items.length },
  };
}
