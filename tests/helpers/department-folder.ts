// A department's folder as a clerk hands it in (transfer.json, one dossier folder with its
// dossier.json and documents), packed as a transfer tar by the real packer: the fixture of the
// tests that ingest a small transfer of plain-text documents (no external converter needed).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packTransfer } from '../../ingest/transfer/index';
import { KAZAKH_TEXT, RUSSIAN_TEXT } from '../../ingest/transfer/testing/fixtures';

/** A Kazakh and a Russian order's text, as the documents of these packages hold them. */
export const KAZAKH_ORDER = KAZAKH_TEXT.join('\n') + '\n';
export const RUSSIAN_ORDER = RUSSIAN_TEXT.join('\n') + '\n';

interface Person {
  name: string;
  position: string;
}

/** Who compiled the inventory and heads the department, by default. */
export const DEFAULT_PEOPLE = { compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' }, headOfDepartment: { name: 'Сейітов Н. Қ.', position: 'бөлім басшысы' } };
/** The other pair some tests use (department 02 of the demo). */
export const TOLEUOVA_PEOPLE = { compiledBy: { name: 'Төлеуова А. Б.', position: 'іс жүргізуші' }, headOfDepartment: { name: 'Жақыпов Н. А.', position: 'бөлім басшысы' } };

export interface DepartmentFolder {
  /** The folder packed, under `dir`. */
  tree: string;
  /** The tar written, under `dir`. */
  tar: string;
  department: { code: string; name: string };
  year: number;
  people?: { compiledBy: Person; headOfDepartment: Person };
  /** The dossier's case index, its folder's name. */
  index: string;
  dossier: { title: string; retention: Record<string, unknown> };
  /** File name in the dossier folder → its text. */
  documents: Record<string, string>;
}

/** Writes the folder under `dir` and packs it; returns the tar's path. */
export async function packDepartmentFolder(dir: string, folder: DepartmentFolder): Promise<string> {
  const tree = path.join(dir, folder.tree);
  await mkdir(path.join(tree, folder.index), { recursive: true });
  await writeFile(
    path.join(tree, 'transfer.json'),
    JSON.stringify({
      organisation: { bin: '123456789012', name: '«Мұрағат Үлгі» ЖШС' },
      department: folder.department,
      year: folder.year,
      fonds: '12',
      people: folder.people ?? DEFAULT_PEOPLE,
    }),
  );
  await writeFile(path.join(tree, folder.index, 'dossier.json'), JSON.stringify(folder.dossier));
  for (const [name, text] of Object.entries(folder.documents)) await writeFile(path.join(tree, folder.index, name), text);
  const tar = path.join(dir, folder.tar);
  await packTransfer(tree, tar);
  return tar;
}
