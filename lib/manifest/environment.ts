// Environment variables a manifest may not set in `mcp_config.env` (or a platform override's
// env), because they make a runtime, the dynamic loader or a tool the server starts run code the
// manifest does not name (issue 9, finding 7: PYTHONWARNINGS naming a module to import, plus
// BROWSER naming a shell command, runs that command before the entry point). One table, each
// entry with why and where the behaviour is documented; the README lists the same table.
//
// Keys are compared upper-cased: Windows environment names are case-insensitive, and refusing
// `node_options` on Linux costs nothing.

export type EnvVerdict =
  /** An exception to a refused family: it only changes diagnostics or a mode string. */
  | 'allow'
  /** Refused: MANIFEST_ENV_INJECTION. */
  | 'refuse'
  /** Allowed only when every element lies inside the bundle. */
  | 'bundle-only'
  /** Reported as MANIFEST_ENV_SENSITIVE (a warning): it changes what runs or whom TLS trusts. */
  | 'warn';

export interface EnvRule {
  /** The variable, or with `prefix` every variable starting with it. */
  name: string;
  prefix?: true;
  verdict: EnvVerdict;
  why: string;
  /** Where the behaviour is documented. */
  source: string;
}

const LD_SO = 'ld.so(8), "ENVIRONMENT"';
const NODE_CLI = 'https://nodejs.org/api/cli.html#environment-variables';
const PYTHON_ENV = 'https://docs.python.org/3/using/cmdline.html#environment-variables';
const BASH = 'bash(1), "INVOCATION" and "Shell Variables"';
const GIT = 'git(1), "ENVIRONMENT VARIABLES"; git-config(1), "ENVIRONMENT"';

/** The table, most specific first: an exact rule wins over a prefix rule. */
export const ENV_RULES: readonly EnvRule[] = [
  // Node: NODE_* is refused as a family (new variables keep arriving, NODE_REPL_EXTERNAL_MODULE
  // loads a module); these are the ones that only change diagnostics or the mode string.
  ...['NODE_ENV', 'NODE_DEBUG', 'NODE_NO_WARNINGS', 'NODE_DISABLE_COLORS', 'NODE_PENDING_DEPRECATION', 'NODE_SKIP_PLATFORM_CHECK'].map(
    (name): EnvRule => ({ name, verdict: 'allow', why: 'diagnostics or the mode string only', source: NODE_CLI }),
  ),
  { name: 'NODE_PATH', verdict: 'bundle-only', why: 'extra module search directories', source: NODE_CLI },
  { name: 'NODE_EXTRA_CA_CERTS', verdict: 'warn', why: 'adds trusted certificate authorities', source: NODE_CLI },
  { name: 'NODE_TLS_REJECT_UNAUTHORIZED', verdict: 'warn', why: '0 turns off TLS certificate checks', source: NODE_CLI },
  { name: 'NODE_', prefix: true, verdict: 'refuse', why: 'NODE_OPTIONS runs --require/--import modules, NODE_REPL_EXTERNAL_MODULE loads a module, NODE_REDIRECT_WARNINGS writes a file', source: NODE_CLI },
  { name: 'ELECTRON_RUN_AS_NODE', verdict: 'refuse', why: 'turns an Electron app into a Node interpreter', source: 'https://www.electronjs.org/docs/latest/api/environment-variables' },
  { name: 'BUN_', prefix: true, verdict: 'refuse', why: 'Bun options and registry (BUN_OPTIONS, BUN_CONFIG_REGISTRY, ...)', source: 'https://bun.sh/docs/runtime/env' },
  { name: 'DENO_', prefix: true, verdict: 'refuse', why: 'Deno cache (DENO_DIR holds the code it runs), V8 flags, auth tokens, certificates', source: 'https://docs.deno.com/runtime/reference/env_variables/' },
  { name: 'NPM_CONFIG_', prefix: true, verdict: 'refuse', why: 'npm configuration: script-shell, node-options, registry', source: 'https://docs.npmjs.com/cli/using-npm/config#environment-variables' },
  // Python.
  { name: 'PYTHONPATH', verdict: 'bundle-only', why: 'extra module search directories', source: PYTHON_ENV },
  { name: 'PYTHONSTARTUP', verdict: 'refuse', why: 'a file executed before the interactive prompt', source: PYTHON_ENV },
  { name: 'PYTHONHOME', verdict: 'refuse', why: 'the standard library (and site) from another directory', source: PYTHON_ENV },
  { name: 'PYTHONPLATLIBDIR', verdict: 'refuse', why: 'the platform library directory the standard library is loaded from', source: PYTHON_ENV },
  { name: 'PYTHONUSERBASE', verdict: 'refuse', why: 'the user site directory, whose .pth files are executed at start-up', source: PYTHON_ENV },
  { name: 'PYTHONINSPECT', verdict: 'refuse', why: 'an interactive prompt on stdin (the MCP channel) after the script', source: PYTHON_ENV },
  { name: 'PYTHONWARNINGS', verdict: 'refuse', why: 'a warning category "pkg.Class" imports pkg at start-up (with BROWSER: a shell)', source: `${PYTHON_ENV}; https://docs.python.org/3/library/warnings.html#the-warnings-filter` },
  { name: 'PYTHONBREAKPOINT', verdict: 'refuse', why: 'breakpoint() imports and calls the named callable', source: PYTHON_ENV },
  { name: 'PYTHONPYCACHEPREFIX', verdict: 'refuse', why: 'compiled bytecode read from another directory', source: PYTHON_ENV },
  { name: 'PYTHONEXECUTABLE', verdict: 'refuse', why: 'sys.executable, which code re-launches (macOS)', source: PYTHON_ENV },
  { name: 'PYTHON_PRESITE', verdict: 'refuse', why: 'a module imported before site', source: PYTHON_ENV },
  { name: 'PYTHONHTTPSVERIFY', verdict: 'warn', why: '0 turns off TLS certificate checks', source: 'PEP 493' },
  { name: 'BROWSER', verdict: 'refuse', why: 'a command line webbrowser (Python) and xdg-open run', source: 'https://docs.python.org/3/library/webbrowser.html' },
  // uv and pip: where the packages installed at start-up come from, and extra env files.
  ...['UV_INDEX', 'UV_INDEX_URL', 'UV_DEFAULT_INDEX', 'UV_EXTRA_INDEX_URL', 'UV_FIND_LINKS', 'UV_CONFIG_FILE', 'UV_ENV_FILE', 'UV_INSECURE_HOST', 'UV_PROJECT_ENVIRONMENT', 'UV_PYTHON_INSTALL_MIRROR', 'UV_PYPY_INSTALL_MIRROR'].map(
    (name): EnvRule => ({ name, verdict: 'refuse', why: 'changes which packages, interpreters or env files uv uses', source: 'https://docs.astral.sh/uv/reference/environment/' }),
  ),
  // The rest of UV_* as a family (new ones keep arriving: UV_PYTHON names the interpreter,
  // UV_PYTHON_INSTALL_DIR and UV_CACHE_DIR where code is read from, UV_OVERRIDE the packages);
  // these only tune how the locked environment is used. UV_THREADPOOL_SIZE is libuv's (Node).
  ...['UV_THREADPOOL_SIZE', 'UV_NO_PROGRESS', 'UV_FROZEN', 'UV_LOCKED', 'UV_OFFLINE', 'UV_NO_SYNC', 'UV_COMPILE_BYTECODE', 'UV_LINK_MODE', 'UV_NO_CACHE', 'UV_HTTP_TIMEOUT', 'UV_PYTHON_DOWNLOADS', 'UV_PYTHON_PREFERENCE'].map(
    (name): EnvRule => ({ name, verdict: 'allow', why: 'tunes how the locked environment is used', source: 'https://docs.astral.sh/uv/reference/environment/' }),
  ),
  { name: 'UV_', prefix: true, verdict: 'refuse', why: 'uv configuration: the interpreter, caches, install directories, overrides and sources of packages', source: 'https://docs.astral.sh/uv/reference/environment/' },
  { name: 'YARN_', prefix: true, verdict: 'refuse', why: 'Yarn configuration: yarnPath runs a JavaScript file, the registry', source: 'https://yarnpkg.com/configuration/yarnrc' },
  { name: 'COREPACK_', prefix: true, verdict: 'refuse', why: 'where Corepack downloads the package manager it runs from', source: 'https://github.com/nodejs/corepack#environment-variables' },
  { name: 'PIP_', prefix: true, verdict: 'refuse', why: 'pip configuration: index, trusted hosts, config file', source: 'https://pip.pypa.io/en/stable/topics/configuration/#environment-variables' },
  { name: 'VIRTUAL_ENV', verdict: 'refuse', why: 'the environment (and so the packages) Python tools use', source: 'https://docs.python.org/3/library/venv.html' },
  // The dynamic loader and the C library.
  { name: 'LD_', prefix: true, verdict: 'refuse', why: 'LD_PRELOAD, LD_AUDIT, LD_LIBRARY_PATH load shared libraries into every program', source: LD_SO },
  { name: 'DYLD_', prefix: true, verdict: 'refuse', why: 'DYLD_INSERT_LIBRARIES and the library paths (macOS)', source: 'dyld(1)' },
  { name: 'LIBPATH', verdict: 'refuse', why: 'the library search path on AIX', source: 'AIX ld' },
  { name: 'SHLIB_PATH', verdict: 'refuse', why: 'the library search path on HP-UX', source: 'HP-UX dld.sl(5)' },
  { name: 'GCONV_PATH', verdict: 'refuse', why: 'iconv loads conversion modules (shared libraries) from it', source: 'glibc manual, "Generic Charset Conversion"; iconv_open(3)' },
  { name: 'GLIBC_TUNABLES', verdict: 'refuse', why: 'parsed by ld.so before anything runs (CVE-2023-4911)', source: 'glibc manual, "Tunables"' },
  { name: 'LOCPATH', verdict: 'refuse', why: 'locale data parsed by every program from another directory', source: 'glibc manual, "Locale Names"' },
  { name: 'NLSPATH', verdict: 'refuse', why: 'message catalogs read from another directory', source: 'catopen(3)' },
  { name: 'OPENSSL_CONF', verdict: 'refuse', why: 'an OpenSSL config can load engines and providers (shared libraries)', source: 'config(5ssl)' },
  { name: 'OPENSSL_ENGINES', verdict: 'refuse', why: 'the directory OpenSSL engines are loaded from', source: 'openssl-env(7)' },
  { name: 'OPENSSL_MODULES', verdict: 'refuse', why: 'the directory OpenSSL providers are loaded from', source: 'openssl-env(7)' },
  { name: 'SSLKEYLOGFILE', verdict: 'refuse', why: 'writes TLS session keys to a file', source: 'NSS key log format; ' + NODE_CLI },
  // Shells: code run at start-up or on every command.
  { name: 'BASH_ENV', verdict: 'refuse', why: 'a file sourced by every non-interactive bash', source: BASH },
  { name: 'ENV', verdict: 'refuse', why: 'a file sourced by sh and dash', source: 'POSIX sh, "ENVIRONMENT VARIABLES"' },
  { name: 'BASH_FUNC_', prefix: true, verdict: 'refuse', why: 'exported functions that replace commands in every bash', source: BASH },
  { name: 'SHELLOPTS', verdict: 'refuse', why: 'turns on xtrace, which expands PS4', source: BASH },
  { name: 'BASHOPTS', verdict: 'refuse', why: 'shell options for every bash', source: BASH },
  { name: 'PS4', verdict: 'refuse', why: 'expanded (command substitution included) before each traced command', source: BASH },
  { name: 'PROMPT_COMMAND', verdict: 'refuse', why: 'run before each prompt', source: BASH },
  { name: 'IFS', verdict: 'refuse', why: 'changes how every shell script splits words', source: BASH },
  { name: 'ZDOTDIR', verdict: 'refuse', why: 'the directory zsh sources its start-up files from', source: 'zsh(1), "STARTUP/SHUTDOWN FILES"' },
  // Programs that tools start on the server's behalf.
  { name: 'GIT_', prefix: true, verdict: 'refuse', why: 'GIT_SSH_COMMAND, GIT_EXEC_PATH, GIT_PAGER, GIT_CONFIG_* (core.fsmonitor, core.sshCommand) run programs', source: GIT },
  ...['EDITOR', 'VISUAL', 'PAGER', 'MANPAGER', 'LESSOPEN', 'LESSCLOSE', 'SSH_ASKPASS', 'SUDO_ASKPASS', 'SHELL', 'COMSPEC'].map(
    (name): EnvRule => ({ name, verdict: 'refuse', why: 'names a program that other programs run', source: 'environ(7); less(1) "INPUT PREPROCESSOR"; Node child_process (COMSPEC)' }),
  ),
  // Other interpreters.
  ...['PERL5OPT', 'PERL5LIB', 'PERLLIB', 'PERL5DB'].map((name): EnvRule => ({ name, verdict: 'refuse', why: 'Perl modules and options loaded by every perl', source: 'perlrun(1), "ENVIRONMENT"' })),
  ...['RUBYOPT', 'RUBYLIB'].map((name): EnvRule => ({ name, verdict: 'refuse', why: 'Ruby options and libraries loaded by every ruby', source: 'ruby(1), "ENVIRONMENT"' })),
  ...['JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH'].map((name): EnvRule => ({ name, verdict: 'refuse', why: 'JVM agents and classes loaded by every java', source: 'JVM Tool Interface, "Command-Line Option"' })),
  // .NET: startup hooks and profilers load assemblies and native libraries into every process.
  ...['DOTNET_ENVIRONMENT', 'DOTNET_CLI_TELEMETRY_OPTOUT', 'DOTNET_NOLOGO'].map((name): EnvRule => ({ name, verdict: 'allow', why: 'configuration name or telemetry only', source: 'https://learn.microsoft.com/dotnet/core/tools/dotnet-environment-variables' })),
  ...['DOTNET_', 'COMPLUS_', 'CORECLR_', 'COR_'].map(
    (name): EnvRule => ({ name, prefix: true, verdict: 'refuse', why: 'DOTNET_STARTUP_HOOKS, DOTNET_ROOT, profilers (CORECLR_PROFILER_PATH) load code into every .NET process', source: 'https://learn.microsoft.com/dotnet/core/runtime-config/debugging-profiling' }),
  ),
  { name: 'LUA_INIT', prefix: true, verdict: 'refuse', why: 'Lua code (or @file) run by every lua before the script', source: 'lua(1), "ENVIRONMENT"' },
  ...['PHPRC', 'PHP_INI_SCAN_DIR'].map((name): EnvRule => ({ name, verdict: 'refuse', why: 'php.ini from another directory (auto_prepend_file runs code)', source: 'https://www.php.net/manual/en/configuration.file.php' })),
  ...['R_PROFILE', 'R_PROFILE_USER', 'R_ENVIRON', 'R_ENVIRON_USER'].map((name): EnvRule => ({ name, verdict: 'refuse', why: 'R code sourced at start-up', source: 'R "Startup" help page' })),
  ...['ERL_AFLAGS', 'ERL_FLAGS', 'ERL_ZFLAGS', 'ELIXIR_ERL_OPTIONS'].map((name): EnvRule => ({ name, verdict: 'refuse', why: 'Erlang VM flags (-eval, -s) for every erl', source: 'erl(1), "ENVIRONMENT"' })),
  { name: 'TCLLIBPATH', verdict: 'refuse', why: 'Tcl packages loaded by every tclsh', source: 'tclsh(1)' },
  // Not code, but they change which programs run, where config is read, or whom TLS trusts.
  ...['PATH', 'PATHEXT', 'HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY'].map(
    (name): EnvRule => ({ name, verdict: 'warn', why: 'changes which programs run, where configuration is read, or whom TLS trusts', source: 'environ(7)' }),
  ),
];

/** The rule that applies to an env key, or null when it is an ordinary variable. */
export function envRule(key: string): EnvRule | null {
  const upper = key.toUpperCase();
  return ENV_RULES.find((rule) => rule.name === upper) ?? ENV_RULES.find((rule) => rule.prefix === true && upper.startsWith(rule.name)) ?? null;
}
