#!/usr/bin/env node
// A dependency-free MCP server over stdio (JSON-RPC 2.0, one message per line): one tool, "greet".
import { createInterface } from 'node:readline';

const tools = [
  {
    name: 'greet',
    description: 'Return a greeting for a name',
    inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  },
];

function handle(request) {
  switch (request.method) {
    case 'initialize':
      return { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'hello-mcpseal', version: '1.0.0' } };
    case 'tools/list':
      return { tools };
    case 'tools/call': {
      const name = String(request.params?.arguments?.name ?? 'world');
      return { content: [{ type: 'text', text: `Hello, ${name}!` }] };
    }
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
