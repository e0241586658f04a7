// The one place that reads process.env. Parses and validates every variable at once and
// fails listing all bad ones, so a misconfigured deployment says everything in one go.
import { existsSync } from 'node:fs';
import path from 'node:path';
import proxyaddr from 'proxy-addr';
import { fileURLToPath } from 'node:url';

export type MalwarePolicy = 'refuse' | 'accept-with-warning';

export type StorageLocation =
  | {
      kind: 'file';
      /** Absolute root folder of a filesystem object store. */
      root: string;
    }
  | {
      /** An S3-compatible bucket (storage/s3-object-store.ts). */
      kind: 's3';
      bucket: string;
      /** Key prefix, no leading or trailing slash. */
      prefix: string;
      region: string;
      endpoint?: string;
      forcePathStyle: boolean;
      /** MURAGAT_S3_ACCESS_KEY_ID / MURAGAT_S3_SECRET_ACCESS_KEY (else AWS_*); absent: the SDK's own chain. */
      credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    };

export interface Config {
  /** Absent: embedded PGlite in `${dataDir}/db`. */
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  /** First location is primary; the others are replicas used for repair. */
  storage: StorageLocation[];
  logLevel: string;
  malwarePolicy: MalwarePolicy;
  requireSignatures: boolean;
  /** Folder of PEM trust anchors and CRLs for signature verification. */
  trustDir: string;
  /** Per-transfer size limit in bytes (p.147 limits are per document and fixed). */
  transferMaxBytes: number;
  /** Secure cookies (behind HTTPS). */
  secureCookies: boolean;
  tools: Record<ToolName, string | undefined>;
  /** PDF/A engine of ingest and of `validate pdfa` by default: the built-in checker, veraPDF, or both. */
  pdfaEngine: 'builtin' | 'verapdf' | 'both';
  /** Java heap limit of each veraPDF run (-Xmx), e.g. 1g or 768m. */
  verapdfMaxHeap: string;
  /** ClamAV signature database folder for clamscan (MURAGAT_CLAMAV_DB); absent: ClamAV's own. */
  clamavDatabaseDir: string | undefined;
  /** Seconds without a heartbeat after which a job's worker counts as dead (MURAGAT_JOB_STALE_SECONDS). */
  jobStaleSeconds: number | undefined;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (MURAGAT_TRUSTED_PROXIES: addresses,
   * CIDRs or loopback/linklocal/uniquelocal). Empty: the client is the connection's peer.
   */
  trustedProxies: string[];
  /** Transfer upload announcements per user: bytes not yet completed, and bytes per 24 hours. */
  uploadQuota: { inFlightBytes: number; dailyBytes: number };
  /**
   * Whether a server runs the scheduled fixity batches (MURAGAT_FIXITY_SCHEDULE, default on;
   * off under the test runner, where a batch would run beside every suite's server).
   */
  fixitySchedule?: boolean;
  /**
   * Whether a server sweeps expired certified-copy packages (research/sweep.ts) on the job queue
   * (MURAGAT_PACKAGE_SWEEP, default on; off under the test runner, like the fixity schedule).
   */
  packageSweep?: boolean;
  /**
   * OCSP (validators/signature/ocsp.ts): ask the responder a signer certificate names
   * (MURAGAT_OCSP, default on) and give up after MURAGAT_OCSP_TIMEOUT_MS (default 5000); an
   * unreachable responder is recorded as unavailable, never as a failed check.
   */
  ocsp?: { enabled: boolean; timeoutMs: number };
  /** Bearer token a Prometheus scraper sends for GET /metrics (MURAGAT_METRICS_TOKEN); absent: admins only. */
  metricsToken: string | undefined;
  /**
   * HTTP server processes `muragat serve` runs on one port (MURAGAT_SERVER_PROCESSES, default 1;
   * more only with a PostgreSQL server: the embedded catalog belongs to one process).
   */
  serverProcesses: number;
  /**
   * LibreOffice instances an ingest converts office files with at once, each on its own profile
   * over its share of the files (MURAGAT_OFFICE_LANES, default 1). soffice converts one file at a
   * time on one core, but each instance costs about 2 s of CPU more (its own start, filters and
   * fonts): on two cores, where the ingest's checks use the other core, a second one gained
   * nothing (docs/benchmarks.md, stop 15).
   */
  officeLanes: number;
}

export type ToolName = 'soffice' | 'gs' | 'pdftoppm' | 'pdftotext' | 'qpdf' | 'clamscan' | 'clamdscan' | 'verapdf';

const TOOL_ENV: Record<ToolName, string> = {
  soffice: 'SOFFICE_BIN',
  gs: 'GS_BIN',
  pdftoppm: 'PDFTOPPM_BIN',
  pdftotext: 'PDFTOTEXT_BIN',
  qpdf: 'QPDF_BIN',
  clamscan: 'CLAMSCAN_BIN',
  clamdscan: 'CLAMDSCAN_BIN',
  verapdf: 'VERAPDF_BIN',
};

// veraPDF as `scripts/setup.mjs --test` installs it (tools/verapdf/pom.xml), used when
// VERAPDF_BIN is unset so tests and benches find it without a PATH change.
const PROJECT_VERAPDF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.tools', 'verapdf', 'verapdf');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * `s3://bucket/prefix?endpoint=http://host:port&region=…&path-style=true|false`; credentials
 * come from the environment, never from the location (it is shown in reports and logs).
 */
function parseS3Location(raw: string, env: NodeJS.ProcessEnv, problems: string[]): StorageLocation | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`MURAGAT_STORAGE: "${raw}" is not a valid s3:// address`);
    return null;
  }
  const bucket = url.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    problems.push(`MURAGAT_STORAGE: "${raw}": bucket name "${bucket}" must be 3 to 63 lowercase letters, digits, dots or hyphens`);
    return null;
  }
  if (url.username || url.password) {
    problems.push(`MURAGAT_STORAGE: "${raw.replace(/\/\/[^@/]*@/, '//***@')}": credentials belong in MURAGAT_S3_ACCESS_KEY_ID and MURAGAT_S3_SECRET_ACCESS_KEY, not in the location`);
    return null;
  }
  const known = new Set(['endpoint', 'region', 'path-style']);
  for (const key of url.searchParams.keys()) if (!known.has(key)) problems.push(`MURAGAT_STORAGE: "${raw}": unknown parameter "${key}" (endpoint, region, path-style)`);
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint)) problems.push(`MURAGAT_STORAGE: "${raw}": endpoint must be an http:// or https:// address`);
  const pathStyle = url.searchParams.get('path-style');
  if (pathStyle !== null && !/^(true|false)$/.test(pathStyle)) problems.push(`MURAGAT_STORAGE: "${raw}": path-style must be true or false`);
  const accessKeyId = env.MURAGAT_S3_ACCESS_KEY_ID || env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.MURAGAT_S3_SECRET_ACCESS_KEY || env.AWS_SECRET_ACCESS_KEY;
  if (!!accessKeyId !== !!secretAccessKey) problems.push('MURAGAT_S3_ACCESS_KEY_ID and MURAGAT_S3_SECRET_ACCESS_KEY: give both or neither');
  const sessionToken = env.MURAGAT_S3_SESSION_TOKEN || env.AWS_SESSION_TOKEN;
  return {
    kind: 's3',
    bucket,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
    region: url.searchParams.get('region') || env.AWS_REGION || 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    // An explicit endpoint is an S3-compatible server, which usually wants path-style.
    forcePathStyle: pathStyle !== null ? pathStyle === 'true' : !!endpoint,
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
  };
}

function parseStorage(value: string | undefined, dataDir: string, problems: string[], env: NodeJS.ProcessEnv = {}): StorageLocation[] {
  if (!value) return [{ kind: 'file', root: path.join(dataDir, 'objects') }];
  const locations: StorageLocation[] = [];
  for (const raw of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (raw.startsWith('file:')) locations.push({ kind: 'file', root: path.resolve(raw.slice(5)) });
    else if (raw.startsWith('/') || raw.startsWith('.')) locations.push({ kind: 'file', root: path.resolve(raw) });
    else if (raw.startsWith('s3://')) {
      const s3 = parseS3Location(raw, env, problems);
      if (s3) locations.push(s3);
    } else problems.push(`MURAGAT_STORAGE: unsupported location "${raw}" (use file:/path or s3://bucket/prefix?endpoint=…, comma-separated; the first is primary)`);
  }
  if (!locations.length) problems.push('MURAGAT_STORAGE: no storage location given');
  return locations;
}

function parseIntVar(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[], min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return n;
}

function parseTrustedProxies(value: string | undefined, problems: string[]): string[] {
  const list = (value ?? '').split(/[\s,]+/).filter(Boolean);
  for (const entry of list) {
    try {
      proxyaddr.compile(entry);
    } catch {
      problems.push(`MURAGAT_TRUSTED_PROXIES: "${entry}" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal`);
    }
  }
  return list;
}

function parseBool(env: NodeJS.ProcessEnv, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`${name}: expected true or false, got "${raw}"`);
  return fallback;
}

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const dataDir = path.resolve(env.MURAGAT_DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL: expected postgres://…, got "${databaseUrl}"`);
  }
  const malware = env.MURAGAT_MALWARE_POLICY || 'refuse';
  if (malware !== 'refuse' && malware !== 'accept-with-warning') {
    problems.push(`MURAGAT_MALWARE_POLICY: expected refuse or accept-with-warning, got "${malware}"`);
  }
  const tools = Object.fromEntries(
    (Object.keys(TOOL_ENV) as ToolName[]).map((name) => [name, env[TOOL_ENV[name]] || undefined]),
  ) as Record<ToolName, string | undefined>;
  if (!tools.verapdf && existsSync(PROJECT_VERAPDF)) tools.verapdf = PROJECT_VERAPDF;
  const pdfaEngine = env.MURAGAT_PDFA_ENGINE || 'builtin';
  if (pdfaEngine !== 'builtin' && pdfaEngine !== 'verapdf' && pdfaEngine !== 'both') {
    problems.push(`MURAGAT_PDFA_ENGINE: expected builtin, verapdf or both, got "${pdfaEngine}"`);
  }
  const verapdfMaxHeap = env.MURAGAT_VERAPDF_MAX_HEAP || '1g';
  if (!/^[1-9]\d*[kmg]?$/i.test(verapdfMaxHeap)) {
    problems.push(`MURAGAT_VERAPDF_MAX_HEAP: expected a Java heap size such as 1g or 768m, got "${verapdfMaxHeap}"`);
  }
  const transferMaxBytes = parseIntVar(env, 'MURAGAT_TRANSFER_MAX_BYTES', 20 * 1024 ** 3, problems, 1);
  const config: Config = {
    databaseUrl,
    dataDir,
    port: parseIntVar(env, 'PORT', 8080, problems, 0, 65535),
    host: env.HOST || '0.0.0.0',
    storage: parseStorage(env.MURAGAT_STORAGE, dataDir, problems, env),
    logLevel: env.LOG_LEVEL || (env.VITEST ? 'silent' : 'info'),
    malwarePolicy: malware as MalwarePolicy,
    requireSignatures: parseBool(env, 'MURAGAT_REQUIRE_SIGNATURES', false, problems),
    trustDir: path.resolve(env.MURAGAT_TRUST_DIR || path.join(dataDir, 'trust')),
    transferMaxBytes,
    secureCookies: parseBool(env, 'MURAGAT_SECURE_COOKIES', false, problems),
    tools,
    pdfaEngine: pdfaEngine as Config['pdfaEngine'],
    verapdfMaxHeap,
    clamavDatabaseDir: env.MURAGAT_CLAMAV_DB ? path.resolve(env.MURAGAT_CLAMAV_DB) : undefined,
    jobStaleSeconds: env.MURAGAT_JOB_STALE_SECONDS ? parseIntVar(env, 'MURAGAT_JOB_STALE_SECONDS', 30, problems, 2, 3600) : undefined,
    trustedProxies: parseTrustedProxies(env.MURAGAT_TRUSTED_PROXIES, problems),
    uploadQuota: {
      inFlightBytes: parseIntVar(env, 'MURAGAT_UPLOAD_INFLIGHT_MAX_BYTES', transferMaxBytes, problems, 1),
      dailyBytes: parseIntVar(env, 'MURAGAT_UPLOAD_DAILY_MAX_BYTES', 5 * transferMaxBytes, problems, 1),
    },
    metricsToken: parseMetricsToken(env.MURAGAT_METRICS_TOKEN, problems),
    serverProcesses: parseIntVar(env, 'MURAGAT_SERVER_PROCESSES', 1, problems, 1, 64),
    officeLanes: parseIntVar(env, 'MURAGAT_OFFICE_LANES', 1, problems, 1, 16),
    fixitySchedule: parseBool(env, 'MURAGAT_FIXITY_SCHEDULE', !(env.VITEST ?? process.env.VITEST), problems),
    packageSweep: parseBool(env, 'MURAGAT_PACKAGE_SWEEP', !(env.VITEST ?? process.env.VITEST), problems),
    ocsp: { enabled: parseBool(env, 'MURAGAT_OCSP', true, problems), timeoutMs: parseIntVar(env, 'MURAGAT_OCSP_TIMEOUT_MS', 5000, problems, 100, 120_000) },
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** A scrape token is a secret: too short a one is refused rather than guessed. */
function parseMetricsToken(raw: string | undefined, problems: string[]): string | undefined {
  if (!raw) return undefined;
  if (raw.length < 24 || !/^[\x21-\x7e]+$/.test(raw)) problems.push('MURAGAT_METRICS_TOKEN: expected at least 24 printable characters without spaces');
  return raw;
}

let cached: Config | undefined;

/** The process-wide configuration, parsed once. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Tests and embedding code may set the configuration explicitly. */
export function setConfig(config: Config): void {
  cached = config;
}
