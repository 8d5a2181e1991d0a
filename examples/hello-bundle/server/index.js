#!/usr/bin/env node
// A dependency-free MCP server over stdio (JSON-RPC 2.0, one message per line) with two tools:
// "greet", and "list_notes", which lists the one directory given with --root=<dir>.
// It touches exactly what its manifest's scopes declare: its own files, that directory, and the
// HELLO_API_TOKEN variable (only to say whether one is set; it is never printed).
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';

const root = process.argv.slice(2).find((arg) => arg.startsWith('--root='))?.slice('--root='.length) ?? null;

const tools = [
  {
    name: 'greet',
    description: 'Return a greeting for a name',
    inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  },
  {
    name: 'list_notes',
    description: 'List the files in the chosen notes directory',
    inputSchema: { type: 'object', properties: {} },
  },
];

function callTool(name, args) {
  if (name === 'greet') return `Hello, ${String(args?.name ?? 'world')}!`;
  if (name === 'list_notes') {
    if (!root) return 'No notes directory configured.';
    return readdirSync(root).join('\n') || '(empty)';
  }
  throw Object.assign(new Error(`unknown tool: ${name}`), { code: -32602 });
}

function handle(request) {
  switch (request.method) {
    case 'initialize':
      return {
        protocolVersion: '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'hello-mcpseal', version: '1.0.0' },
        instructions: process.env.HELLO_API_TOKEN ? 'An API token is configured.' : 'No API token is configured.',
      };
    case 'tools/list':
      return { tools };
    case 'tools/call':
      return { content: [{ type: 'text', text: callTool(request.params?.name, request.params?.arguments) }] };
    default:
      throw Object.assign(new Error(`method not found: ${request.method}`), { code: -32601 });
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } })}\n`);
    return;
  }
  if (request.id === undefined) return; // a notification needs no answer
  try {
    process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: request.id, result: handle(request) })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: request.id, error: { code: error.code ?? -32603, message: error.message } })}\n`);
  }
});
