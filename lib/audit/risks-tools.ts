// Risks 2 and 5 from the tools the manifest declares: descriptions that speak to the model
// (hidden instructions, invisible characters), references to other tools or servers, and tools
// that feed untrusted content to the model while the server can write or send data out.

import type { AuditCode } from './findings.ts';
import { finding } from './findings.ts';
import type { ToolTextCode } from '../analysis/tool-text.ts';
import type { BundleFacts, ToolTextFinding } from './facts.ts';
import type { AuditFinding, RiskResult } from './model.ts';
import { decided, notApplicable } from './risk.ts';

interface Tool {
  name: string;
  description: string;
  index: number;
  kind: 'tools' | 'prompts';
}

function declaredTools(manifest: Record<string, unknown>): Tool[] {
  const tools: Tool[] = [];
  for (const kind of ['tools', 'prompts'] as const) {
    const list = manifest[kind];
    if (!Array.isArray(list)) continue;
    list.forEach((item: unknown, index) => {
      if (typeof item !== 'object' || item === null) return;
      const record = item as Record<string, unknown>;
      const text = [record['description'], kind === 'prompts' ? record['text'] : undefined].filter((part): part is string => typeof part === 'string').join('\n');
      tools.push({ name: typeof record['name'] === 'string' ? record['name'] : '', description: text, index, kind });
    });
  }
  return tools;
}

/** The audit code a tool-text finding of the analysis layer maps to, by the words of its code or kind. */
/** The audit code of each tool-text finding of the analysis layer (the compiler keeps it complete). */
const TOOL_TEXT_AUDIT_CODE: Readonly<Record<ToolTextCode, AuditCode>> = {
  TOOL_HIDDEN_INSTRUCTION: 'AUDIT_TOOL_HIDDEN_INSTRUCTION',
  TOOL_SECRET_REFERENCE: 'AUDIT_TOOL_HIDDEN_INSTRUCTION',
  TOOL_INVISIBLE_UNICODE: 'AUDIT_TOOL_INVISIBLE_TEXT',
  TOOL_BIDI_UNICODE: 'AUDIT_TOOL_INVISIBLE_TEXT',
  TOOL_TAG_CHARACTERS: 'AUDIT_TOOL_INVISIBLE_TEXT',
  TOOL_CROSS_REFERENCE: 'AUDIT_TOOL_CROSS_REFERENCE',
};

export function toolTextCode(item: ToolTextFinding): AuditCode {
  return TOOL_TEXT_AUDIT_CODE[item.code];
}

function textFindings(facts: BundleFacts, tools: readonly Tool[]): AuditFinding[] {
  const check = facts.checkers.checkToolText;
  if (check === undefined) return [];
  const findings: AuditFinding[] = [];
  for (const tool of tools) {
    for (const item of check({ name: tool.name, description: tool.description })) {
      findings.push(finding(toolTextCode(item), `${tool.kind === 'tools' ? 'tool' : 'prompt'} "${tool.name}": ${item.message}`, { path: 'manifest.json', excerpt: `${item.evidence.path}: ${item.evidence.excerpt}` }));
    }
  }
  return findings;
}

/** Words in a tool's name or description that say it reads content someone else wrote. */
const UNTRUSTED = /\b(?:fetch(?:es)?|brows(?:e|er|ing)|web ?pages?|websites?|urls?|scrap(?:e|es|ing)|crawl(?:s|ing)?|e-?mails?|inbox|mailbox|issues?|pull requests?|comments?|tickets?|messages?|slack|discord|rss|search(?:es)? the web|web search)\b/iu;

function holdsWriteOrEgress(facts: BundleFacts): string | null {
  const scopes = facts.scopes;
  if (scopes === null) return null;
  if (scopes.filesystem.write.length > 0 || scopes.filesystem.roots === 'write' || scopes.filesystem.cwd === 'write') return 'write access to files';
  if (scopes.network.egress.length > 0 || scopes.network.userDriven !== undefined) return 'network egress';
  return null;
}

/** Risk 2: tool descriptions that instruct the model, and untrusted content beside write or egress scopes. */
export function promptInjectionRisk(facts: BundleFacts): RiskResult {
  if (facts.manifest === null) return notApplicable(2, 'no manifest: no tools to read');
  const tools = declaredTools(facts.manifest);
  const findings = textFindings(facts, tools).filter((item) => item.code !== 'AUDIT_TOOL_CROSS_REFERENCE');
  const reach = holdsWriteOrEgress(facts);
  for (const tool of tools.filter((item) => item.kind === 'tools')) {
    const match = UNTRUSTED.exec(`${tool.name.replace(/[_-]/gu, ' ')} ${tool.description}`);
    if (match && reach !== null) findings.push(finding('AUDIT_TOOL_UNTRUSTED_CONTENT', `tool "${tool.name}" reads untrusted content ("${match[0]}") and the server holds ${reach}: injected text could make the model use it`, { path: 'manifest.json' }));
  }
  const missing = tools.length === 0 ? 'the manifest lists no tools: their descriptions cannot be read before install' : facts.checkers.checkToolText === undefined ? 'the tool descriptions were not checked (no tool-text checker)' : null;
  return decided(2, findings, 'no tool description speaks to the model, and no tool feeds untrusted content to a server that can write or send', missing);
}

/** Risk 5: what the server says it offers, compared before install. */
export function capabilityRisk(facts: BundleFacts): RiskResult {
  if (facts.manifest === null) return notApplicable(5, 'no manifest: no tools to compare');
  const tools = declaredTools(facts.manifest);
  const findings = textFindings(facts, tools).filter((item) => item.code === 'AUDIT_TOOL_CROSS_REFERENCE');
  const seen = new Set<string>();
  for (const tool of tools) {
    const key = `${tool.kind}:${tool.name}`;
    if (seen.has(key)) findings.push(finding('AUDIT_TOOL_DUPLICATE', `two ${tool.kind} named "${tool.name}"`, { path: 'manifest.json' }));
    seen.add(key);
  }
  const generated = facts.manifest['tools_generated'] === true;
  if (tools.length === 0 || generated) findings.push(finding('AUDIT_TOOLS_UNDECLARED', generated ? 'tools_generated: the server makes its tools at run time' : 'the manifest lists no tools'));
  const missing = tools.length === 0 || generated ? 'the tools are not all declared in the manifest: pin them at first run (mcpseal tools accept)' : facts.checkers.checkToolText === undefined ? 'the tool descriptions were not checked for references to other tools (no tool-text checker)' : null;
  return decided(5, findings, `${tools.length} declared tools, none refers to another tool or server`, missing);
}
