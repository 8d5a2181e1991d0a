// The Python half of the parser: a small script for `python3 -I -c`, run by the pipeline's
// default PythonParser (this layer starts no process). It reads {"files": [{path, text}]} on
// stdin and prints one JSON array of facts (model.ts PythonFacts): imports, calls with their
// literal arguments, `os.environ[...]`-style subscripts and whole-URL strings. `ast.parse` never
// runs the code; `ast.walk` is iterative; a file that is too deep or not Python is an error entry.

export const PYTHON_FACTS_SCRIPT = String.raw`
import ast, json, re, sys
URL = re.compile(r"^(?:https?|wss?)://[^\s\"'<>\x60\\]+$", re.I)
SECRET = re.compile(r"ssh|aws|gcloud|azure|kube|docker|npmrc|pypirc|netrc|gnupg|git-credentials|keychain|security |chrom|firefox|mozilla|brave|edge|login data|key4|cookies|credentials|protect|vault", re.I)
FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
def dotted(n, depth=0):
    parts = []
    while isinstance(n, ast.Attribute) and depth < 32:
        parts.append(n.attr); n = n.value; depth += 1
    if isinstance(n, ast.Name): parts.append(n.id)
    elif isinstance(n, ast.Call) and depth < 32:
        inner = dotted(n.func, depth + 1)
        if inner is None: return None
        parts.append(inner + '()')
    else: return None
    return '.'.join(reversed(parts))
def value(n, depth=0):
    if depth > 4 or n is None: return None
    if isinstance(n, ast.Constant):
        if isinstance(n.value, str): return {'str': n.value[:2048]}
        if isinstance(n.value, (int, float)) and not isinstance(n.value, bool): return {'num': n.value}
        return None
    if isinstance(n, ast.JoinedStr):
        return {'concat': [value(v.value if isinstance(v, ast.FormattedValue) else v, depth + 1) for v in n.values[:8]]}
    if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Div, ast.Mod)):
        return {'concat': [value(n.left, depth + 1), value(n.right, depth + 1)]}
    if isinstance(n, (ast.List, ast.Tuple)):
        return {'list': [value(e, depth + 1) for e in n.elts[:4]]}
    if isinstance(n, ast.Await): return value(n.value, depth + 1)
    if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Slice) and not isinstance(n.value, (ast.Name, ast.Attribute)):
        return {'call': 'str.slice', 'args': [value(n.value, depth + 1)]}
    if isinstance(n, ast.Subscript):
        key = n.slice
        base = dotted(n.value)
        if base and isinstance(key, ast.Constant) and isinstance(key.value, str): return {'subscript': base, 'key': key.value}
        return {'name': base} if base else None
    if isinstance(n, ast.Call):
        name = dotted(n.func)
        if name is None and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, (ast.Constant, ast.JoinedStr, ast.BinOp)): name = 'str.' + n.func.attr
        return {'call': name or '?', 'args': [value(a, depth + 1) for a in n.args[:4]]}
    if isinstance(n, (ast.BoolOp,)): return value(n.values[0], depth + 1)
    if isinstance(n, ast.IfExp): return value(n.body, depth + 1)
    d = dotted(n)
    return {'name': d} if d else None
def context(parent, child):
    if isinstance(parent, ast.Call): return dotted(parent.func) or ''
    if isinstance(parent, ast.keyword): return parent.arg or ''
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        return ' '.join(dotted(t) or '' for t in targets)
    return ''
def facts(path, text):
    out = {'path': path, 'imports': [], 'calls': [], 'subscripts': [], 'urls': [], 'assigns': [], 'strings': []}
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        out['error'] = type(e).__name__ + ': ' + str(e)[:200]
        return out
    parents = {}
    scopes = {tree: 0}
    functions = {}
    for node in ast.walk(tree):
        scope = scopes.get(node, 0)
        for c in ast.iter_child_nodes(node):
            parents[c] = node
            scopes[c] = functions.setdefault(node, len(functions) + 1) if isinstance(node, FUNCS) else scope
        line = getattr(node, 'lineno', 0)
        if isinstance(node, ast.Assign) and len(out['assigns']) < 5000:
            for t in node.targets[:4]:
                if isinstance(t, ast.Name): out['assigns'].append({'name': t.id, 'value': value(node.value), 'line': line, 'scope': scope})
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name) and node.value is not None and len(out['assigns']) < 5000:
            out['assigns'].append({'name': node.target.id, 'value': value(node.value), 'line': line, 'scope': scope})
        elif isinstance(node, (ast.With, ast.AsyncWith)) and len(out['assigns']) < 5000:
            for item in node.items[:4]:
                if isinstance(item.optional_vars, ast.Name): out['assigns'].append({'name': item.optional_vars.id, 'value': value(item.context_expr), 'line': line, 'scope': scope})
        if isinstance(node, ast.Import):
            for a in node.names: out['imports'].append({'alias': a.asname or a.name.split('.')[0], 'name': a.name if a.asname else a.name.split('.')[0], 'line': line})
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names: out['imports'].append({'alias': a.asname or a.name, 'name': node.module + '.' + a.name, 'line': line})
        elif isinstance(node, ast.Call):
            callee = dotted(node.func)
            if callee: out['calls'].append({'callee': callee, 'args': [value(a) for a in node.args[:4]], 'keywords': {k.arg: value(k.value) for k in node.keywords[:16] if k.arg}, 'line': line, 'scope': scope, 'receiver': [value(a) for a in node.func.value.args[:2]] if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call) else []})
        elif isinstance(node, ast.Subscript):
            base = dotted(node.value); key = node.slice
            if base and isinstance(key, ast.Constant) and isinstance(key.value, str): out['subscripts'].append({'value': base, 'key': key.value[:256], 'line': line})
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 2048 and URL.match(node.value):
            parent = parents.get(node)
            out['urls'].append({'value': node.value, 'line': line, 'context': context(parent, node) if parent is not None else ''})
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and 3 < len(node.value) <= 512 and SECRET.search(node.value) and len(out['strings']) < 1000:
            parent = parents.get(node)
            out['strings'].append({'value': node.value, 'line': line, 'context': context(parent, node) if parent is not None else ''})
    return out
sys.setrecursionlimit(2000)
request = json.load(sys.stdin)
result = []
for f in request['files']:
    try: result.append(facts(f['path'], f['text']))
    except (RecursionError, MemoryError) as e: result.append({'path': f['path'], 'error': type(e).__name__, 'imports': [], 'calls': [], 'subscripts': [], 'urls': []})
json.dump(result, sys.stdout)
`;
