// The rules every filesystem scope entry meets on its own, before it is compared with the
// command line: it starts from a known place (a path variable, a directory/file option, the
// parent of a file option, or an absolute path), never climbs with "..", and, when it grants the
// whole file system, the whole home directory or a home-directory secret store, says so in a
// warning an installer's policy can act on (an honest declaration is not refused here: the
// policy decides how much it grants).

import type { JsonRecord } from '../manifest/document.ts';
import type { AddFinding, ScopeCode } from '../manifest/findings.ts';
import { broadReach, homeSecretOf } from '../manifest/home-secrets.ts';
import { isPathVariable, parentOptionKey, symbolicSegments, variableReferences, type VariableReference } from '../manifest/variables.ts';
import { SCOPES_POINTER, type Scopes } from './model.ts';

type Add = AddFinding<ScopeCode>;
type Options = ReadonlyMap<string, JsonRecord>;

const GRANTS = { read: 'read', write: 'create, change and delete' } as const;

export function checkScopePaths(scopes: Scopes, options: Options, add: Add): void {
  for (const kind of ['read', 'write'] as const) {
    scopes.filesystem[kind].forEach((path, index) => {
      const at = `${SCOPES_POINTER}/filesystem/${kind}/${index}`;
      for (const reference of variableReferences(path)) checkReference(reference, at, options, add);
      if (path.split(/[\\/]|\$\{\/\}/u).includes('..')) {
        add('SCOPE_PATH_TRAVERSAL', at, `"${path}" climbs with "..", so what it grants depends on the path above it: write the directory it means`);
      } else if (!/^\$\{/u.test(path) && !/^(?:\/|[A-Za-z]:[\\/])/u.test(path)) {
        add('SCOPE_RELATIVE_PATH', at, `"${path}" is relative, so it would grant whatever the working directory holds: start it with a variable such as \${__dirname} or make it absolute (or declare filesystem.cwd)`);
      } else {
        checkReach(path, kind, at, add);
      }
    });
  }
}

function checkReference(reference: VariableReference, at: string, options: Options, add: Add): void {
  if (reference.userConfigKey === null) {
    if (!isPathVariable(reference.name) && reference.name !== '/') add('SCOPE_UNKNOWN_VARIABLE', at, `\${${reference.name}} is not a path variable (\${__dirname}, \${HOME}, \${DESKTOP}, \${DOCUMENTS}, \${DOWNLOADS}, \${/})`);
    return;
  }
  const parentOf = parentOptionKey(reference);
  const type = options.get(parentOf ?? reference.userConfigKey)?.['type'];
  if (parentOf !== null && type === 'file') return;
  if (parentOf !== null && type !== undefined) {
    add('SCOPE_PARENT_NOT_FILE', at, `\${${reference.name}} names the parent of the ${String(type)} option "${parentOf}": only a file option has a parent scope (the parent of a directory would grant its siblings); use \${user_config.${parentOf}}`);
  } else if (type !== 'directory' && type !== 'file') {
    add('SCOPE_UNKNOWN_VARIABLE', at, `\${${reference.name}} is not a directory or file option of user_config, so no path is known for it`);
  }
}

/** The whole file system or home directory (a warning), or a home-directory secret store (a warning). */
function checkReach(path: string, kind: 'read' | 'write', at: string, add: Add): void {
  const segments = symbolicSegments(path);
  if (segments === null) return;
  const broad = broadReach(segments);
  if (broad !== null) {
    const what = broad === 'the whole home directory' ? `${broad} (keys, tokens, browser profiles and every project)` : broad;
    add('SCOPE_BROAD_PATH', at, `"${path}" lets the server ${GRANTS[kind]} ${what}: name the directories it needs, or expect an installer's policy to refuse it`, 'warning');
    return;
  }
  const secret = homeSecretOf(segments);
  if (secret !== null) {
    add('SCOPE_SECRET_PATH', at, `"${path}" lets the server ${GRANTS[kind]} ~/${secret}, where credentials live: declare it only if the server's job is those credentials, and expect an installer's policy to ask`, 'warning');
  }
}
