// What an installer reviews before it approves a bundle (issue 10 item 5): what the server can
// touch, from its declared scopes, and the options the user will be asked for (`user_config`).
// The input is the manifest as written, untrusted and possibly invalid (inspect shows bundles
// that fail validation): nothing here assumes a shape; whatever is there is shown, and keys this
// version does not know are listed rather than dropped. The caller escapes the text it prints.

import { isRecord } from '../manifest/document.ts';

/** One line of the "what it can touch" table: an area and what is granted in it. */
export interface TouchRow {
  /** `filesystem read`, `network egress`, ... (or `filesystem.KEY` for a key this version does not know). */
  area: string;
  /** What is granted, in words: a list, `none`, `yes`/`no`, or the value as JSON when it has an unexpected shape. */
  grant: string;
}

/** One `user_config` option as an installer asks for it. */
export interface UserConfigRow {
  key: string;
  type: string;
  required: boolean;
  sensitive: boolean;
  /** The default as written (JSON for a non-string), or null when there is none. */
  default: string | null;
  title: string | null;
}

export interface Review {
  /** Whether the manifest declares a scopes block at all. */
  scopesDeclared: boolean;
  touches: TouchRow[];
  userConfig: UserConfigRow[];
}

/** Longest cell shown; longer values are cut (the full objects are in the JSON output). */
const MAX_CELL = 300;

/** The review of a manifest's raw scopes block and `user_config` (ManifestSummary.scopes / userConfig). */
export function reviewManifest(scopes: unknown, userConfig: unknown): Review {
  return {
    scopesDeclared: scopes !== null && scopes !== undefined,
    touches: scopes === null || scopes === undefined ? [] : touchRows(scopes),
    userConfig: userConfigRows(userConfig),
  };
}

/** The areas in the order a reviewer reads them; `optional` rows appear only when the key is present. */
const AREAS: readonly { block: string; key: string; area: string; render: (value: unknown) => string; optional?: boolean }[] = [
  { block: 'filesystem', key: 'read', area: 'filesystem read', render: list },
  { block: 'filesystem', key: 'write', area: 'filesystem write', render: list },
  { block: 'filesystem', key: 'roots', area: 'MCP roots', render: (value) => `${grant(value)} (directories the client grants at run time)`, optional: true },
  { block: 'filesystem', key: 'cwd', area: 'working directory', render: (value) => `${grant(value)} (the directory the host starts the server in)`, optional: true },
  { block: 'network', key: 'egress', area: 'network egress', render: egress },
  { block: 'network', key: 'userDriven', area: 'user-driven egress', render: userDriven, optional: true },
  { block: 'network', key: 'listen', area: 'listen', render: flag },
  { block: 'process', key: 'spawn', area: 'spawn', render: list },
  { block: 'process', key: 'workers', area: 'workers', render: flag },
  { block: 'process', key: 'native_addons', area: 'native addons', render: flag },
  { block: 'env', key: 'read', area: 'env read', render: list },
  { block: 'env', key: 'secrets', area: 'env secrets', render: list },
];

function touchRows(scopes: unknown): TouchRow[] {
  if (!isRecord(scopes)) return [{ area: 'scopes', grant: malformed(scopes) }];
  const rows: TouchRow[] = [];
  for (const { block, key, area, render, optional } of AREAS) {
    const section = scopes[block];
    const present = isRecord(section) && Object.hasOwn(section, key);
    if (!present) {
      // A missing required key means denied to the model, but a reviewer should see it is missing.
      if (!optional) rows.push({ area, grant: isRecord(section) || section === undefined ? 'not declared' : malformed(section) });
      continue;
    }
    rows.push({ area, grant: cut(render(section[key])) });
  }
  rows.push(...unknownKeys(scopes));
  return rows;
}

/** Keys this version does not know, shown as written: the display must not hide what a manifest says. */
function unknownKeys(scopes: Record<string, unknown>): TouchRow[] {
  const known = new Map<string, Set<string>>();
  for (const { block, key } of AREAS) known.set(block, (known.get(block) ?? new Set()).add(key));
  const rows: TouchRow[] = [];
  for (const [block, section] of Object.entries(scopes)) {
    const keys = known.get(block);
    if (!keys) {
      rows.push({ area: block, grant: cut(json(section)) });
      continue;
    }
    if (!isRecord(section)) continue;
    for (const [key, value] of Object.entries(section)) if (!keys.has(key)) rows.push({ area: `${block}.${key}`, grant: cut(json(value)) });
  }
  return rows;
}

function list(value: unknown): string {
  if (!Array.isArray(value)) return malformed(value);
  if (value.length === 0) return 'none';
  return value.map((item) => (typeof item === 'string' ? item : json(item))).join(', ');
}

function flag(value: unknown): string {
  return typeof value === 'boolean' ? (value ? 'yes' : 'no') : malformed(value);
}

function grant(value: unknown): string {
  return value === 'none' || value === 'read' || value === 'write' ? value : malformed(value);
}

function ports(value: unknown): string {
  return Array.isArray(value) ? value.map((port) => (typeof port === 'number' ? String(port) : json(port))).join(',') : json(value);
}

function egress(value: unknown): string {
  if (!Array.isArray(value)) return malformed(value);
  if (value.length === 0) return 'none';
  return value.map((rule) => (isRecord(rule) && typeof rule['host'] === 'string' ? `${rule['host']}:${ports(rule['ports'])}` : json(rule))).join(', ');
}

function userDriven(value: unknown): string {
  if (!isRecord(value)) return malformed(value);
  const reason = typeof value['reason'] === 'string' ? value['reason'] : json(value['reason']);
  return `any host the user picks, ports ${ports(value['ports'])}; reason: ${reason}`;
}

function userConfigRows(userConfig: unknown): UserConfigRow[] {
  if (!isRecord(userConfig)) return [];
  return Object.entries(userConfig).map(([key, option]) => {
    const o = isRecord(option) ? option : {};
    return {
      key,
      type: typeof o['type'] === 'string' ? o['type'] : isRecord(option) ? '(no type)' : malformed(option),
      required: o['required'] === true,
      sensitive: o['sensitive'] === true,
      default: Object.hasOwn(o, 'default') ? cut(typeof o['default'] === 'string' ? o['default'] : json(o['default'])) : null,
      title: typeof o['title'] === 'string' ? cut(o['title']) : null,
    };
  });
}

function malformed(value: unknown): string {
  return `(unexpected: ${cut(json(value))})`;
}

function json(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function cut(text: string): string {
  return text.length <= MAX_CELL ? text : `${text.slice(0, MAX_CELL)}... (${text.length - MAX_CELL} more characters)`;
}
