// `muragat verify-signature <signature> [--content <file>] [--trust-dir <dir>] [--json]`:
// verifies a CMS/PKCS#7 signature and lists every check. Exit 0 valid, 1 invalid or cannot
// verify, 2 usage or system error (unreadable files).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { t, type Language } from '../../common/i18n';
import { signatureReportToJson, verifySignature, type SignatureReport } from '../../validators/signature';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

const MARK = { true: '✓', false: '✗', null: '?' } as const;

export function formatReport(report: SignatureReport, lang: Language): string {
  const tr = (key: string, params: Record<string, unknown> = {}) => t(lang, `signature.${key}`, params);
  const verdict = tr(`verdict_${report.verdict.replace('-', '_')}`);
  const lines = [tr('cli_verdict', { verdict }) + (report.reason ? ` — ${report.reason}` : '')];
  for (const s of report.signers) {
    lines.push('', `${tr('cli_signer')}: ${s.signer.subject || s.signer.issuer} — ${tr(`verdict_${s.verdict.replace('-', '_')}`)}`);
    if (s.signer.iin) lines.push(`  ${tr('cli_iin')}: ${s.signer.iin}`);
    if (s.signer.bin) lines.push(`  ${tr('cli_bin')}: ${s.signer.bin}`);
    if (s.signingTime) lines.push(`  ${tr('cli_signing_time')}: ${s.signingTime}`);
    for (const c of s.checks) {
      const label = t(lang, `signature.check_${c.name}`);
      lines.push(`  ${MARK[String(c.ok) as 'true' | 'false' | 'null']} ${label.startsWith('signature.') ? c.name : label}: ${c.message}`);
    }
  }
  lines.push('', tr('cli_evidence', { certificates: report.evidence.certificates.length, crls: report.evidence.crls.length }));
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  const lang = cliLanguage();
  program
    .command('verify-signature')
    .description(t(lang, 'signature.cli_description'))
    .argument('<signature>', t(lang, 'signature.cli_arg_signature'))
    .option('--content <file>', t(lang, 'signature.cli_opt_content'))
    .option('--trust-dir <dir>', t(lang, 'signature.cli_opt_trust_dir'))
    .option('--json', t(lang, 'signature.cli_opt_json'))
    .action(async (signaturePath: string, opts: { content?: string; trustDir?: string; json?: boolean }) => {
      const signature = await readFile(signaturePath).catch(() => {
        throw new CliExit(EXIT.usage, t(lang, 'signature.cli_file_missing', { file: signaturePath }));
      });
      if (opts.content !== undefined && !existsSync(opts.content)) {
        throw new CliExit(EXIT.usage, t(lang, 'signature.cli_file_missing', { file: opts.content }));
      }
      const trustDir = opts.trustDir ? path.resolve(opts.trustDir) : loadConfig().trustDir;
      if (!existsSync(trustDir) && !opts.json) process.stderr.write(t(lang, 'signature.cli_no_trust_dir', { dir: trustDir }) + '\n');
      const report = await verifySignature({
        signature: new Uint8Array(signature),
        ...(opts.content !== undefined ? { content: path.resolve(opts.content) } : {}),
        trustDir,
        lang,
      });
      if (opts.json) printJson(signatureReportToJson(report));
      else process.stdout.write(formatReport(report, lang));
      if (report.verdict !== 'valid') throw new CliExit(EXIT.checkFailed);
    });
}
