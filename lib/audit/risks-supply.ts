// Risk 3 (dependency confusion): what the launch fetches at start-up, and the bundled dependency
// tree as the analysis layer's dependency checker reads it (lockfiles, exact versions and
// integrity hashes, install scripts, lookalike names).

import type { AuditCode } from './findings.ts';
import { finding } from './findings.ts';
import type { DependencyCode } from '../analysis/deps-model.ts';
import type { BundleFacts, DependencyFinding } from './facts.ts';

/** The most dependency findings one report lists (a hostile lockfile can produce thousands). */
const MAX_DEPENDENCY_FINDINGS = 100;
import { launchChannel } from './launch-command.ts';
import type { AuditFinding, RiskResult } from './model.ts';
import { decided } from './risk.ts';

const FEEDS: ReadonlySet<string> = new Set(['npx', 'uvx', 'pipx', 'docker']);

/** The finding for a launch through a package feed, or null for any other channel. */
export function feedFinding(command: string, args: readonly string[], where: string): AuditFinding | null {
  const launch = launchChannel(command, args);
  if (!FEEDS.has(launch.channel)) return null;
  const what = `${where} runs ${launch.channel} ${launch.target || '(no package named)'}`;
  return launch.pinned ? finding('AUDIT_RUNTIME_FETCH_PINNED', `${what}: a pinned version fetched at start-up, with no integrity hash`) : finding('AUDIT_RUNTIME_FETCH_UNPINNED', `${what}: whatever the feed serves at launch runs`);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Every command line of the manifest: mcp_config and each platform override. */
function launchConfigs(manifest: Record<string, unknown>): { where: string; command: string; args: string[] }[] {
  const config = record(record(manifest['server'])['mcp_config']);
  const configs = [{ where: 'mcp_config', config }];
  for (const [platform, override] of Object.entries(record(config['platform_overrides']))) configs.push({ where: `platform_overrides.${platform}`, config: { ...config, ...record(override) } });
  return configs.flatMap(({ where, config: entry }) => {
    const command = entry['command'];
    if (typeof command !== 'string') return [];
    const args = Array.isArray(entry['args']) ? entry['args'].filter((arg): arg is string => typeof arg === 'string') : [];
    return [{ where, command, args }];
  });
}

/** The audit code of a dependency finding of the analysis layer, by the words of its code or kind. */
/**
 * The audit code of each dependency finding of the analysis layer (the compiler keeps it
 * complete); null: evidence for the reader, not a finding of risk 3 (a lockfile is present).
 */
const DEPENDENCY_AUDIT_CODE: Readonly<Record<DependencyCode, AuditCode | null>> = {
  DEP_LOCK_PRESENT: null,
  DEP_LOCK_ABSENT: 'AUDIT_DEPENDENCY_NO_LOCKFILE',
  DEP_LOCK_UNCHECKED: 'AUDIT_DEPENDENCIES_UNCHECKED',
  DEP_NO_INTEGRITY: 'AUDIT_DEPENDENCY_UNPINNED',
  DEP_UNPINNED: 'AUDIT_DEPENDENCY_UNPINNED',
  DEP_NOT_REGISTRY: 'AUDIT_DEPENDENCY_UNPINNED',
  DEP_EXTRA_INDEX: 'AUDIT_DEPENDENCY_UNPINNED',
  DEP_LOCK_MISMATCH: 'AUDIT_DEPENDENCY_UNPINNED',
  DEP_INSTALL_SCRIPT: 'AUDIT_DEPENDENCY_INSTALL_SCRIPT',
  DEP_LOOKALIKE: 'AUDIT_DEPENDENCY_LOOKALIKE',
  DEP_UV_NO_HASHED_LOCK: 'AUDIT_UV_NO_LOCK',
  DEP_FILE_UNREADABLE: 'AUDIT_DEPENDENCIES_UNCHECKED',
};

export function dependencyCode(item: DependencyFinding): AuditCode | null {
  return DEPENDENCY_AUDIT_CODE[item.code];
}

/** Whether the bundle ships or names dependencies (a tree, a manifest of them, a lockfile). */
function shipsDependencies(files: ReadonlySet<string> | null): boolean {
  if (files === null) return false;
  for (const name of files) {
    if (/(?:^|\/)(?:node_modules|site-packages|\.venv|venv|vendor)\//u.test(name)) return true;
    if (/(?:^|\/)(?:package\.json|requirements[^/]*\.txt|pyproject\.toml|uv\.lock|Pipfile|poetry\.lock)$/u.test(name)) return true;
  }
  return false;
}

/** What leaves risk 3 unknown when the checker ran: dependency files it could not read (too large, not text, not JSON). */
function unreadDependencies(checked: readonly DependencyFinding[] | null): string | null {
  const unread = (checked ?? []).filter((item) => item.code === 'DEP_FILE_UNREADABLE');
  if (unread.length === 0) return null;
  const first = unread[0]!.evidence.path;
  return `${unread.length === 1 ? `${first} was` : `${unread.length} dependency files (${first}, ...) were`} not read (too large, not text or not JSON): the dependencies ${unread.length === 1 ? 'it names' : 'they name'} are unchecked`;
}

/** Risk 3 for a bundle or a directory. */
export function dependencyRisk(facts: BundleFacts, launches: AuditFinding[] = []): RiskResult {
  const findings: AuditFinding[] = [...launches];
  const manifest = facts.manifest ?? {};
  for (const launch of launchConfigs(manifest)) {
    const item = feedFinding(launch.command, launch.args, launch.where);
    if (item !== null) findings.push({ ...item, evidence: { path: 'manifest.json' } });
  }
  if (record(manifest['server'])['type'] === 'uv' && facts.files !== null && ![...facts.files].some((name) => name === 'uv.lock' || name.endsWith('/uv.lock'))) {
    findings.push(finding('AUDIT_UV_NO_LOCK', 'server.type is uv and the bundle has no uv.lock: uv resolves the dependencies on the user\'s machine', { path: 'manifest.json' }));
  }
  const ships = shipsDependencies(facts.files);
  const checked = facts.dependencyFindings;
  if (checked !== null) {
    for (const item of checked) {
      const code = dependencyCode(item);
      if (code === null || findings.length >= MAX_DEPENDENCY_FINDINGS) continue;
      const { path, line } = item.evidence;
      findings.push(finding(code, `${item.package ? `${item.package}: ` : ''}${item.message}`, { path, ...(line === undefined ? {} : { line }), ...(item.evidence.excerpt === undefined ? {} : { excerpt: item.evidence.excerpt }) }));
    }
  } else if (ships) {
    findings.push(finding('AUDIT_DEPENDENCIES_UNCHECKED', 'the bundle ships dependencies, and no dependency checker ran'));
  }
  const missing = checked === null && ships ? 'the bundled dependencies were not checked (lockfile, exact versions, integrity hashes, install scripts, lookalike names)' : unreadDependencies(checked);
  return decided(3, findings, ships ? 'the bundled dependencies are locked, pinned and hashed, with no install scripts or lookalike names' : 'nothing is fetched at launch and no dependencies are bundled', missing);
}
