// Reading a manifest document that nothing has type-checked yet: every helper here accepts any
// JSON value and looks keys up as own properties only, so `constructor`, `__proto__` or
// `toString` never resolve to something inherited from Object.prototype.

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `record[key]` when `key` is an own property, else undefined. */
export function own(record: unknown, key: string): unknown {
  return isRecord(record) && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `record[key]` as a record, or `{}`. */
export function ownRecord(record: unknown, key: string): JsonRecord {
  const value = own(record, key);
  return isRecord(value) ? value : {};
}

/** The string items of an array (anything else is the schema's concern). */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The string-valued entries of an object. */
export function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The `user_config` options that are objects, by key, in a Map (never an `in` lookup on a plain object). */
export function userConfigOptions(manifest: JsonRecord): ReadonlyMap<string, JsonRecord> {
  const options = own(manifest, 'user_config');
  const map = new Map<string, JsonRecord>();
  if (!isRecord(options)) return map;
  for (const [key, option] of Object.entries(options)) if (isRecord(option)) map.set(key, option);
  return map;
}

/** `server.type` as a string, or ''. */
export function serverType(manifest: JsonRecord): string {
  const type = own(own(manifest, 'server'), 'type');
  return typeof type === 'string' ? type : '';
}

/** `table[key]` for a lookup table keyed by untrusted text (a program name, an option): own keys only. */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
