// Shared set-up for the signer identity and case index tests: small transfer packages of one
// department's dossier (two text documents), and the users of two departments.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import type { Database } from '../../database/database';
import { openCatalog } from '../../database/open';
import { createOrganisationService } from '../../catalog/organisation.service';
import type { Role } from '../../accounts/roles';
import { createSignersService } from '../../accounts/signers.service';
import { createUsersService } from '../../accounts/users.service';
import { packTransfer } from '../../ingest/transfer/index';
import { KAZAKH_TEXT, RUSSIAN_TEXT } from '../../ingest/transfer/testing/fixtures';

/** A transfer of department `department`, year `year`, with dossier `index` of two text documents; `tag` makes its bytes unique. */
export async function buildIndexPackage(dir: string, options: { index: string; department?: string; year?: number; tag?: string }): Promise<string> {
  const department = options.department ?? '03';
  const year = options.year ?? 2025;
  const tree = path.join(dir, `tree-${options.index}-${options.tag ?? 'a'}`);
  await mkdir(path.join(tree, options.index), { recursive: true });
  await writeFile(
    path.join(tree, 'transfer.json'),
    JSON.stringify({
      organisation: { bin: '123456789012', name: '«Мұрағат Үлгі» ЖШС' },
      department: { code: department, name: 'Кадр бөлімі' },
      year,
      fonds: '12',
      people: { compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' }, headOfDepartment: { name: 'Сейітов Н. Қ.', position: 'бөлім басшысы' } },
    }),
  );
  await writeFile(path.join(tree, options.index, 'dossier.json'), JSON.stringify({ title: `Жеке құрам бойынша бұйрықтар ${options.tag ?? ''}`.trim(), retention: { kind: 'years', years: 75, article: '597' } }));
  await writeFile(path.join(tree, options.index, `${year}-03-01 Бұйрық №12-н.txt`), [...KAZAKH_TEXT, options.tag ?? ''].join('\n') + '\n');
  await writeFile(path.join(tree, options.index, `${year}-06-15 Приказ №40-н.txt`), RUSSIAN_TEXT.join('\n') + '\n');
  const tar = path.join(dir, `transfer-${options.index}-${options.tag ?? 'a'}.tar`);
  await packTransfer(tree, tar);
  return tar;
}

export const PASSWORD = 'Signer-Test-Secret-2026';

export interface TestUser {
  username: string;
  fullName: string;
  roles: Role[];
  department: string | null;
}

export const USERS: TestUser[] = [
  { username: 'admin', fullName: 'Admin Adminov', roles: ['admin'], department: null },
  { username: 'keeper', fullName: 'Keeper Archivistova', roles: ['archivist'], department: '01' },
  { username: 'head', fullName: 'Askar Seitov', roles: ['department_head'], department: '03' },
  { username: 'clerk', fullName: 'Aizhan Toleuova', roles: ['department_clerk'], department: '03' },
  { username: 'clerk2', fullName: 'Dana Other', roles: ['department_clerk'], department: '02' },
  { username: 'head2', fullName: 'Nurlan Otherhead', roles: ['department_head'], department: '02' },
];

/** Departments 01-03 and the users above (English messages), password PASSWORD. */
export async function seedSignerUsers(db: Kysely<Database>): Promise<void> {
  const organisations = createOrganisationService({ db });
  if (!(await organisations.get())) {
    await organisations.save(SYSTEM_ACTOR, { nameKk: 'Тест', nameRu: 'Тест', bin: '123456789012', fondsNumber: '12' });
  }
  const ids = new Map<string, string>();
  for (const code of ['01', '02', '03']) ids.set(code, (await organisations.addDepartment(SYSTEM_ACTOR, { code, nameKk: `Бөлім ${code}`, nameRu: `Отдел ${code}` })).id);
  const users = createUsersService({ db });
  for (const u of USERS) {
    await users.add(SYSTEM_ACTOR, { username: u.username, password: PASSWORD, fullName: u.fullName, roles: u.roles, departmentId: u.department ? ids.get(u.department)! : null, language: 'en' });
  }
}

/**
 * For command-line tests: in the catalog under `dataDir` (migrated here if new), department
 * `department`, a user who may sign both statements of its dossiers (archivist and head of
 * department) and the certificate at `certPath` registered to them — so `ingest --sign-key`
 * with that certificate's key signs as a registered signer.
 */
export async function registerOperatorSigner(dataDir: string, certPath: string, department = '03'): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  // openCatalog migrates a new catalog, as the CLI would.
  const catalog = await openCatalog({ databaseUrl: undefined, dataDir });
  try {
    const dept = await createOrganisationService({ db: catalog.db }).addDepartment(SYSTEM_ACTOR, { code: department, nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
    await createUsersService({ db: catalog.db }).add(SYSTEM_ACTOR, { username: 'operator', password: PASSWORD, fullName: 'Сейітов Асқар', roles: ['archivist', 'department_head'], departmentId: dept.id });
    await createSignersService({ db: catalog.db }).addCertificate(SYSTEM_ACTOR, 'operator', new Uint8Array(await readFile(certPath)), path.basename(certPath));
  } finally {
    await catalog.close();
  }
}
