// The MCP registry binding: a server.json's mcpb package entry, and a server.json checked against
// the bundle it describes (digest, namespace owner).

export { checkServerJson, registrySigner } from './check.ts';
export type { NamespaceCheck, RegistrySigner, ServerJsonCheck, ServerJsonFacts } from './check.ts';
export { mcpbIdentifierProblem, mcpbPackageEntry } from './entry.ts';
export type { McpbPackageEntry } from './entry.ts';
export { readServerJson } from './read.ts';
export { SERVER_SCHEMA_URL, serverSchemaProblems } from './schema.ts';
export type { SchemaProblem } from './schema.ts';
