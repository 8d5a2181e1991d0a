// Classifies the facts the Python helper reports (python-script.ts) into observations, with the
// same kinds and path origins as the JavaScript side. Names are resolved through the file's
// imports (`from subprocess import run` makes `run(...)` `subprocess.run`).

import { escapeControls } from './excerpt.ts';
import type { FileContext } from './javascript.ts';
import { NETWORK_CONTEXT } from './js-rules.ts';
import type { Observation, ObservationKind, PathExpression, PythonFacts, PythonValue } from './model.ts';
import { isNativeCode } from './native-code.ts';
import { PythonTaint, isComputedValue, isDecodedValue, secretStrings } from './python-evidence.ts';
import { urlTarget } from './urls.ts';

type Call = PythonFacts['calls'][number];

const WRITE = new Set(['os.remove', 'os.unlink', 'os.rename', 'os.replace', 'os.makedirs', 'os.mkdir', 'os.rmdir', 'os.removedirs', 'os.chmod', 'os.truncate', 'shutil.rmtree', 'shutil.copy', 'shutil.copy2', 'shutil.copyfile', 'shutil.move', 'shutil.copytree']);
const READ = new Set(['os.listdir', 'os.scandir', 'os.walk', 'os.stat', 'os.path.exists', 'os.path.isfile', 'glob.glob']);
const PATH_WRITE_METHODS = /\.(?:write_text|write_bytes|mkdir|touch|unlink|rmdir|rename|replace)$/u;
const PATH_READ_METHODS = /\.(?:read_text|read_bytes|iterdir|glob|rglob)$/u;
const NETWORK = /^(?:requests|httpx)\.(?:get|post|put|patch|delete|head|options|request|stream|Client|AsyncClient|Session)$|^urllib\.request\.(?:urlopen|Request)$|^aiohttp\.ClientSession$|^http\.client\.HTTPS?Connection$|^websockets\.(?:connect|client\.connect)$|^socket\.create_connection$|\.ClientSession\(\)\.(?:get|post|put|patch|delete|request)$/u;
const LISTEN = /^(?:http\.server\.(?:HTTPServer|ThreadingHTTPServer)|socketserver\.(?:TCPServer|ThreadingTCPServer|UDPServer)|uvicorn\.run|aiohttp\.web\.run_app)$|\.(?:bind|listen)$/u;
const SPAWN = /^(?:subprocess\.(?:run|Popen|call|check_call|check_output|getoutput|getstatusoutput)|os\.(?:system|popen|exec\w*|spawn\w*|posix_spawnp?)|asyncio\.create_subprocess_(?:exec|shell))$/u;
const SHELL = /^(?:os\.system|os\.popen|subprocess\.(?:getoutput|getstatusoutput)|asyncio\.create_subprocess_shell)$/u;
const WORKER = /^(?:multiprocessing\.(?:Process|Pool|get_context)|concurrent\.futures\.ProcessPoolExecutor)$/u;
const NATIVE = /^ctypes\.(?:CDLL|PyDLL|WinDLL|OleDLL|cdll\.LoadLibrary|util\.find_library)$|^cffi\.FFI$|\.dlopen$/u;
const DYNAMIC = /^(?:eval|exec|compile|importlib\.import_module|__import__)$/u;
const ENV_CALLS = /^(?:os\.getenv|os\.environ\.get|os\.environ\.setdefault|os\.environ\.pop)$/u;

/** The observations in one Python file's facts. */
export function pythonObservations(facts: PythonFacts, file: FileContext, lines: readonly string[]): Observation[] {
  const aliases = new Map(facts.imports.map((entry) => [entry.alias, entry.name] as const));
  const resolve = (name: string): string => {
    const [first, ...rest] = name.split('.');
    const call = first!.endsWith('()');
    const target = aliases.get(call ? first!.slice(0, -2) : first!);
    return target === undefined ? name : [`${target}${call ? '()' : ''}`, ...rest].join('.');
  };
  const observations: Observation[] = [];
  const emit = (kind: ObservationKind, detail: string, line: number, extra: Partial<Observation> = {}): void => {
    const target = extra.target?.text === undefined ? {} : { target: { ...extra.target, text: escapeControls(extra.target.text.slice(0, 512)) } };
    const observation: Observation = { kind, detail: escapeControls(detail.slice(0, 300)), ...extra, ...target, evidence: { path: file.path, line, excerpt: excerptOf(lines, line) }, origin: file.origin };
    if (file.package !== undefined) observation.package = file.package;
    if (file.test === true) observation.test = true;
    observations.push(observation);
  };
  const registersTools = facts.calls.some((call) => /(?:^|\.)(?:tool|call_tool|list_tools|add_tool)$/u.test(call.callee));
  const taint = new PythonTaint(facts, resolve);
  for (const call of facts.calls) {
    const resolved = { ...call, callee: resolve(call.callee) };
    classifyCall(resolved, resolve, emit, registersTools);
    evaluated(resolved, resolve, emit, taint);
  }
  for (const entry of secretStrings(facts, resolve)) emit('secret-path', entry.secret, entry.line, { target: { ...classifyPythonPath({ str: entry.value }, resolve), text: entry.value } });
  for (const subscript of facts.subscripts) {
    if (resolve(subscript.value) === 'os.environ') emit('env-read', subscript.key, subscript.line);
  }
  for (const entry of facts.imports) {
    if (/^(?:ctypes|cffi)$/u.test(entry.name.split('.')[0]!) && file.origin === 'own') emit('native', entry.name, entry.line);
  }
  for (const url of facts.urls) {
    const networkContext = NETWORK_CONTEXT.test(url.context.split(/[.\s]/u).at(-1) ?? '');
    if (file.origin === 'dependency' && !networkContext) continue;
    emit('url-literal', url.value, url.line, networkContext ? { networkContext } : {});
  }
  return observations;
}

type Emit = (kind: ObservationKind, detail: string, line: number, extra?: Partial<Observation>) => void;

function classifyCall(call: Call, resolve: (name: string) => string, emit: Emit, registersTools: boolean): void {
  const { callee, args, line } = call;
  const path = (value: PythonValue | undefined): PathExpression => classifyPythonPath(value ?? null, resolve);
  if (callee === 'open' || callee === 'io.open' || callee === 'codecs.open') {
    const mode = strOf(args[1] ?? call.keywords['mode'] ?? null) ?? 'r';
    emit(/[wax+]/u.test(mode) ? 'fs-write' : 'fs-read', callee, line, { target: path(args[0]) });
  } else if (WRITE.has(callee) || READ.has(callee)) {
    emit(WRITE.has(callee) ? 'fs-write' : 'fs-read', callee, line, { target: path(args[0]) });
  } else if (PATH_WRITE_METHODS.test(callee) || PATH_READ_METHODS.test(callee)) {
    const receiver = /(?:^|\.)(?:Path|PurePath|PosixPath)\(\)\./u.test(callee) ? path(call.receiver?.[0]) : { origin: 'dynamic' as const };
    emit(PATH_WRITE_METHODS.test(callee) ? 'fs-write' : 'fs-read', callee, line, { target: receiver });
  } else if (ENV_CALLS.test(callee)) {
    emit('env-read', strOf(args[0] ?? null) ?? '*', line);
  } else if (/^dotenv\.(?:load_dotenv|dotenv_values)$/u.test(callee)) {
    emit('dotenv', callee, line);
  } else if (NETWORK.test(callee)) {
    pythonNetwork(call, emit, registersTools);
  } else if (SPAWN.test(callee)) {
    const program = programOf(args[0] ?? null, SHELL.test(callee) || call.keywords['shell'] !== undefined);
    emit('spawn', program ?? '', line, program === undefined ? { target: { origin: 'dynamic' } } : {});
  } else {
    classifyOther(call, emit);
  }
}

/** What exec/eval/compile, a shell or `__import__` runs: decoded or assembled is obfuscation, a network response is eval-fetched. */
function evaluated(call: Call, resolve: (name: string) => string, emit: Emit, taint: PythonTaint): void {
  const { callee, args, line } = call;
  const code = args[0] ?? null;
  if (code === null || 'str' in code) return;
  if (/^(?:eval|exec|compile)$/u.test(callee)) {
    if (isDecodedValue(code, resolve)) emit('obfuscation', `${callee} of decoded text`, line);
    if (taint.isFetched(code, call.scope ?? 0)) emit('eval-fetched', callee, line);
  } else if (/^(?:__import__|importlib\.import_module)$/u.test(callee)) {
    if (isComputedValue(code, resolve)) emit('obfuscation', `${callee} of a computed name`, line);
  } else if (SPAWN.test(callee) && taint.isFetched(code, call.scope ?? 0)) {
    emit('eval-fetched', callee, line);
  }
}

function classifyOther(call: Call, emit: Emit): void {
  const { callee, args, line } = call;
  if (WORKER.test(callee)) emit('worker', callee, line);
  else if (NATIVE.test(callee)) emit('native', callee, line);
  else if (DYNAMIC.test(callee)) {
    const literal = strOf(args[0] ?? null);
    if (!(callee.includes('import') && literal !== undefined)) emit('dynamic-code', callee, line);
    else if (isNativeCode(literal)) emit('native', literal, line);
  } else if (/list_roots$/u.test(callee)) emit('mcp-roots', callee, line);
  else if (LISTEN.test(callee)) emit('listen', callee, line);
}

function pythonNetwork(call: Call, emit: Emit, registersTools: boolean): void {
  const { callee, args, line } = call;
  const connection = /HTTPS?Connection$/u.test(callee);
  const urlValue = /\.request$/u.test(callee) ? args[1] : (call.keywords['base_url'] ?? call.keywords['url'] ?? args[0]);
  let url = literalUrl(urlValue ?? null);
  if (connection) {
    const host = strOf(args[0] ?? null);
    url = host === undefined ? undefined : `${callee.endsWith('HTTPSConnection') ? 'https' : 'http'}://${host}/`;
  }
  if (url !== undefined) emit('network', url, line, { target: { origin: 'literal', text: url } });
  else if (!/(?:Client|Session)$/u.test(callee) || urlValue !== undefined) {
    const toolInput = registersTools && urlValue != null && 'name' in urlValue && !urlValue.name.includes('.') && urlValue.name.toUpperCase() !== urlValue.name;
    emit('network', callee, line, { target: { origin: 'dynamic', text: callee }, ...(toolInput ? { toolInput } : {}) });
  }
}

/** The literal URL (or a literal head with a complete host) of a value. */
function literalUrl(value: PythonValue): string | undefined {
  const text = strOf(value);
  if (text !== undefined) return urlTarget(text) ? text : undefined;
  if (value !== null && 'concat' in value) {
    const head = strOf(value.concat[0] ?? null);
    return head !== undefined && urlTarget(head, { head: true }) ? `${head}…` : undefined;
  }
  return undefined;
}

/** The origin of a Python path value. */
export function classifyPythonPath(value: PythonValue, resolve: (name: string) => string, depth = 0): PathExpression {
  if (value === null || depth > 6) return { origin: 'dynamic' };
  if ('str' in value) {
    if (value.str.startsWith('~')) return { origin: 'home', text: value.str };
    return /^(?:\/|[A-Za-z]:[\\/])/u.test(value.str) ? { origin: 'literal', text: value.str } : { origin: 'cwd', text: value.str };
  }
  if ('concat' in value || 'list' in value) return classifyPythonPath(('concat' in value ? value.concat : value.list)[0] ?? null, resolve, depth + 1);
  if ('subscript' in value) return resolve(value.subscript) === 'os.environ' ? { origin: 'env', text: value.key } : { origin: 'dynamic' };
  if ('name' in value) {
    const name = resolve(value.name);
    if (name === '__file__') return { origin: 'bundle', text: '__file__' };
    return name.startsWith('sys.argv') ? { origin: 'argv' } : { origin: 'dynamic', text: name };
  }
  if ('call' in value) return classifyPythonCall(resolve(value.call), value.args, resolve, depth);
  return { origin: 'dynamic' };
}

function classifyPythonCall(callee: string, args: PythonValue[], resolve: (name: string) => string, depth: number): PathExpression {
  if (/^(?:os\.getenv|os\.environ\.get)$/u.test(callee)) {
    const name = strOf(args[0] ?? null);
    return name === undefined ? { origin: 'dynamic' } : { origin: 'env', text: name };
  }
  if (/^(?:os\.getcwd|pathlib\.Path\.cwd|Path\.cwd)$/u.test(callee)) return { origin: 'cwd', text: '.' };
  if (/^(?:pathlib\.Path\.home|Path\.home)$/u.test(callee)) return { origin: 'home', text: '~' };
  if (/^tempfile\.(?:gettempdir|mkdtemp|mkstemp|NamedTemporaryFile|TemporaryDirectory)$/u.test(callee)) return { origin: 'tmp' };
  if (callee === 'os.path.dirname') return { ...classifyPythonPath(args[0] ?? null, resolve, depth + 1), beside: true };
  if (/^(?:os\.path\.(?:join|abspath|expanduser|realpath|normpath)|pathlib\.(?:Path|PurePath)|Path)$/u.test(callee)) return classifyPythonPath(args[0] ?? null, resolve, depth + 1);
  return { origin: 'dynamic' };
}

function strOf(value: PythonValue): string | undefined {
  return value !== null && 'str' in value ? value.str : undefined;
}

function programOf(value: PythonValue, shell: boolean): string | undefined {
  if (value !== null && 'list' in value) return strOf(value.list[0] ?? null);
  const text = strOf(value);
  if (text === undefined) return undefined;
  return shell ? text.trim().split(/\s+/u)[0] : text;
}

function excerptOf(lines: readonly string[], line: number): string {
  const text = (lines[line - 1] ?? '').trim();
  return escapeControls(text.length > 160 ? `${text.slice(0, 160)}…` : text);
}
