// Risk 3 (dependency confusion): what the launch fetches at start-up, and the bundled dependency
// tree as the analysis layer's dependency checker reads it (lockfiles, exact versions and
// integrity hashes, install scripts, lookalike names).

import type { AuditCode } from './findings.ts';
import { finding } from './findings.ts';
import type { BundleFacts, DependencyFinding } from './facts.ts';
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
export function dependencyCode(item: DependencyFinding): AuditCode {
  const label = `${item.code ?? ''} ${item.kind ?? ''}`.toLowerCase();
  if (/lookalike|typo|similar|confus/u.test(label)) return 'AUDIT_DEPENDENCY_LOOKALIKE';
  if (/script/u.test(label)) return 'AUDIT_DEPENDENCY_INSTALL_SCRIPT';
  if (/\buv\b|uv[-_]/u.test(label)) return 'AUDIT_UV_NO_LOCK';
  if (/lock/u.test(label)) return 'AUDIT_DEPENDENCY_NO_LOCKFILE';
  return 'AUDIT_DEPENDENCY_UNPINNED';
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
  const check = facts.checkers.checkDependencies;
  const ships = shipsDependencies(facts.files);
  if (check !== undefined) {
    for (const item of check(facts.dependencyFiles).slice(0, 100)) {
      findings.push(finding(dependencyCode(item), `${item.package ? `${item.package}: ` : ''}${item.message}`, item.path === undefined ? undefined : { path: item.path, ...(item.line === undefined ? {} : { line: item.line }) }));
    }
  } else if (ships) {
    findings.push(finding('AUDIT_DEPENDENCIES_UNCHECKED', 'the bundle ships dependencies, and no dependency checker ran'));
  }
  const missing = check === undefined && ships ? 'the bundled dependencies were not checked (lockfile, exact versions, integrity hashes, install scripts, lookalike names)' : null;
  return decided(3, findings, ships ? 'the bundled dependencies are locked, pinned and hashed, with no install scripts or lookalike names' : 'nothing is fetched at launch and no dependencies are bundled', missing);
}
