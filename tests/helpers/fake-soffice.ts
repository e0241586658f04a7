// A stand-in for LibreOffice's soffice (SOFFICE_BIN) for the conversion failure tests: it answers
// --version, reads the command line as the converter writes it (--convert-to, --outdir, files)
// and "converts" each file by copying a template PDF/A to <outdir>/<name>.pdf, beside a lock file
// `.~lock.<name>.pdf#` removed after the copy, as soffice does. What a test needs beyond that —
// logging calls, hanging, crashing, holding the lock — is shell code run once per call or per file.
import { chmod, writeFile } from 'node:fs/promises';

export interface FakeSofficeScript {
  /** What `soffice --version` prints, e.g. "LibreOffice 7.0.0.0 fake". */
  version: string;
  /** Shell run once per conversion call, before the files (may exit or exec). */
  onCall: string;
  /** Shell run for each file "$f" before it is copied (may `continue` to skip it). */
  onFile?: string;
  /** Shell run for each file "$f" after its PDF "$pdf" is written, before its lock "$lock" is removed. */
  onWritten?: string;
  /** The PDF copied as each file's output (a shell word: a quoted path or "$VARIABLE"). */
  template: string;
}

/** Writes the fake soffice to `bin`, executable. */
export async function writeFakeSoffice(bin: string, script: FakeSofficeScript): Promise<void> {
  await writeFile(
    bin,
    `#!/bin/sh
# Fake soffice of the conversion failure tests (tests/helpers/fake-soffice.ts).
if [ "$1" = "--version" ]; then echo "${script.version}"; exit 0; fi
${script.onCall}
outdir=""; files=""
while [ $# -gt 0 ]; do
  case "$1" in
    --outdir) outdir="$2"; shift 2;;
    --convert-to) shift 2;;
    -*) shift;;
    *) files="$files $1"; shift;;
  esac
done
for f in $files; do
${script.onFile ?? ''}
  b=$(basename "$f"); pdf="$outdir/\${b%.*}.pdf"; lock="$outdir/.~lock.\${b%.*}.pdf#"
  echo "convert $f -> $pdf using filter : writer_pdf_Export"; : > "$lock"; cp ${script.template} "$pdf"
${script.onWritten ?? ''}
  rm -f "$lock"
done
exit 0
`,
  );
  await chmod(bin, 0o755);
}
