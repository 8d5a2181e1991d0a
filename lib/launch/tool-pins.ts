// Tool pinning (issue 12 item 6, risk 5 "capability spoofing"): what a server's tool looked like
// the first time it ran, as one sha256 per tool, and how a later `tools/list` differs from it.
// Trail of Bits' mcp-context-protector is the model: canonical JSON per tool, SHA-256, a changed
// or new tool is not trusted again until a person accepts it.
//
// Canonical form: RFC 8785 (JSON Canonicalization Scheme) for values produced by JSON.parse:
// object keys sorted by UTF-16 code units (§3.2.3), no whitespace, strings and numbers serialised
// as ECMAScript's JSON.stringify does (§3.2.2.2, §3.2.2.3). JSON.parse never yields NaN, Infinity
// or lone `undefined`, so the one JCS rule this leaves out (refusing those) cannot arise.

import { createHash } from 'node:crypto';

/** The parts of an MCP `Tool` (MCP 2025-06-18 `tools/list`) that are pinned. */
export const PINNED_FIELDS = ['name', 'description', 'inputSchema', 'outputSchema', 'annotations'] as const;

/** One pinned tool: its name and the sha256 (hex) of its canonical definition. */
export interface ToolPin {
  name: string;
  sha256: string;
}

/** A bundle's pins, sorted by name (the lock stores them so). */
export type ToolPins = readonly ToolPin[];

export type ToolChangeKind = 'changed' | 'new' | 'removed';

/** A live tool that differs from its pin. `sha256` is the live hash (null for a removed tool). */
export interface ToolChange {
  name: string;
  change: ToolChangeKind;
  sha256: string | null;
  /** The pinned hash (null for a new tool). */
  pinned: string | null;
}

export interface ToolComparison {
  unchanged: string[];
  changed: ToolChange[];
  added: ToolChange[];
  /** Only when the live list is complete (no pagination): a partial page proves nothing is gone. */
  removed: ToolChange[];
  /** Live tools the manifest's `tools` array does not name (undefined declared list: none). */
  undeclared: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 8785 canonical JSON of a JSON.parse value (see the header). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The sha256 (hex) of a tool's pinned fields; fields it lacks are left out, not set to null. */
export function toolHash(tool: Record<string, unknown>): string {
  const pinned: Record<string, unknown> = {};
  for (const field of PINNED_FIELDS) if (Object.hasOwn(tool, field)) pinned[field] = tool[field];
  return createHash('sha256').update(canonicalJson(pinned), 'utf8').digest('hex');
}

/** A tool from a `tools/list` result, or null when it is not one (no string name). */
export function liveTool(value: unknown): { name: string; sha256: string } | null {
  if (!isRecord(value) || typeof value['name'] !== 'string') return null;
  return { name: value['name'], sha256: toolHash(value) };
}

/** Pins for a live list, sorted by name; a name listed twice keeps its first definition. */
export function pinsOf(live: readonly { name: string; sha256: string }[]): ToolPin[] {
  const byName = new Map<string, string>();
  for (const tool of live) if (!byName.has(tool.name)) byName.set(tool.name, tool.sha256);
  return [...byName].map(([name, sha256]) => ({ name, sha256 })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Compares a live list with the pins: unchanged, changed, new and (for a complete list) removed
 * tools, plus live tools the manifest does not declare.
 */
export function compareTools(
  live: readonly { name: string; sha256: string }[],
  pins: ToolPins,
  options: { complete: boolean; declared?: readonly string[] | undefined },
): ToolComparison {
  const pinned = new Map(pins.map((pin) => [pin.name, pin.sha256]));
  const result: ToolComparison = { unchanged: [], changed: [], added: [], removed: [], undeclared: [] };
  const seen = new Set<string>();
  for (const tool of live) {
    if (seen.has(tool.name)) continue;
    seen.add(tool.name);
    const was = pinned.get(tool.name);
    if (was === undefined) result.added.push({ name: tool.name, change: 'new', sha256: tool.sha256, pinned: null });
    else if (was === tool.sha256) result.unchanged.push(tool.name);
    else result.changed.push({ name: tool.name, change: 'changed', sha256: tool.sha256, pinned: was });
  }
  if (options.complete) {
    for (const pin of pins) if (!seen.has(pin.name)) result.removed.push({ name: pin.name, change: 'removed', sha256: null, pinned: pin.sha256 });
  }
  if (options.declared !== undefined) {
    const declared = new Set(options.declared);
    result.undeclared = [...seen].filter((name) => !declared.has(name));
  }
  return result;
}
