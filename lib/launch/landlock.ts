// The launcher that runs first inside the sandbox (DESIGN.md "Launching under the scopes",
// measured facts): a few lines of Python (standard library, ctypes) that
//   1. start the egress forwards (socat: 127.0.0.1:PORT -> the Unix socket of the host side),
//      with stdin and stdout on /dev/null so they never touch the MCP stream, and wait until each
//      listens (read from /proc/net/tcp: no probe connection reaches the host side);
//   2. restrict execution with Landlock (kernel Documentation/userspace-api/landlock.rst): a
//      ruleset that handles LANDLOCK_ACCESS_FS_EXECUTE and allows it only on the server's
//      interpreter and its ELF loader, no_new_privs, landlock_restrict_self;
//   3. when it is the start gate (gate.ts), wait for the go byte on the gate descriptor: end of
//      file (the re-hash failed, or run died) exits 125 without running anything of the bundle;
//   4. execute the server's interpreter. Every later execve in the server fails with EACCES.
// The forwards start before step 2, so they are not restricted; they are children of this
// process in the sandbox's pid namespace and die with it.
//
// The loader must stay executable (the kernel opens PT_INTERP with the same check as execve), so
// `ld.so <file>` can still run an ELF file the server can read; that is why the executable view
// is empty as well (no /bin, /usr/bin), and why python3 and socat run from copies in the runtime
// directory that this launcher deletes before the server starts: nothing else is left to run.
// Without Landlock (kernel < 5.13 or disabled) the launcher says so on stderr and continues: the
// empty view remains.

/** Python source, run as `python3 -I -S -c LAUNCHER_SOURCE CONFIG_JSON ARGV...`. */
export const LAUNCHER_SOURCE = String.raw`
import ctypes, os, sys, time
# The config is JSON.stringify output (ours): as a Python expression it is the same value (its
# string escapes are Python's), read without importing json, which costs python3 ~6 ms at start.
config = eval(sys.argv[1], {'__builtins__': {}}, {'null': None, 'true': True, 'false': False}); argv = sys.argv[2:]
def fail(message):
    sys.stderr.write('mcpseal launcher: ' + message + '\n'); sys.stderr.flush(); os._exit(126)
null = os.open('/dev/null', os.O_RDWR)
# Both loopback addresses: a client resolving "localhost" may try ::1 first.
v6 = os.path.exists('/proc/net/if_inet6')
def forward(listen, socket):
    pid = os.fork()
    if pid == 0:
        os.dup2(null, 0); os.dup2(null, 1)
        try: os.execv(config['socat'], ['socat', listen, 'UNIX-CONNECT:' + socket])
        finally: os._exit(127)
    return pid
six = []
for port, socket in config['forwards']:
    forward('TCP4-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork' % port, socket)
    if v6: six.append(forward('TCP6-LISTEN:%d,bind=[::1],ipv6only=1,reuseaddr,fork' % port, socket))
def listening(table):
    found = set()
    with open(table) as lines:
        for line in lines.readlines()[1:]:
            fields = line.split()
            if fields[3] == '0A': found.add(int(fields[1].split(':')[1], 16))
    return found
wanted = {port for port, _ in config['forwards']}
deadline = time.monotonic() + 5
# IPv6 is best effort: a namespace without ::1 makes its socat exit, and IPv4 still serves.
def six_done(): return not v6 or wanted <= listening('/proc/net/tcp6') or all(os.waitpid(pid, os.WNOHANG)[0] != 0 for pid in six)
while wanted and not (wanted <= listening('/proc/net/tcp') and six_done()):
    if time.monotonic() > deadline: fail('the egress forwards did not start')
    time.sleep(0.003)
for path in config['remove']: os.unlink(path)
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
CREATE, ADD, RESTRICT, EXECUTE = 444, 445, 446, 1
class Ruleset(ctypes.Structure): _fields_ = [('handled_access_fs', ctypes.c_uint64)]
class Beneath(ctypes.Structure): _pack_ = 1; _fields_ = [('allowed_access', ctypes.c_uint64), ('parent_fd', ctypes.c_int32)]
abi = libc.syscall(CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1)) if config['allow'] is not None else 0
if config['allow'] is None: pass
elif abi < 1:
    sys.stderr.write('mcpseal launcher: Landlock is not available (errno %d); only the empty executable view limits execution\n' % ctypes.get_errno())
else:
    ruleset = Ruleset(EXECUTE)
    fd = libc.syscall(CREATE, ctypes.byref(ruleset), ctypes.c_size_t(ctypes.sizeof(ruleset)), ctypes.c_uint32(0))
    if fd < 0: fail('landlock_create_ruleset failed (errno %d)' % ctypes.get_errno())
    for path in config['allow']:
        target = os.open(path, os.O_PATH | os.O_CLOEXEC)
        if libc.syscall(ADD, ctypes.c_int(fd), ctypes.c_int(1), ctypes.byref(Beneath(EXECUTE, target)), ctypes.c_uint32(0)) != 0:
            fail('landlock_add_rule %s failed (errno %d)' % (path, ctypes.get_errno()))
        os.close(target)
    if libc.prctl(38, 1, 0, 0, 0) != 0: fail('PR_SET_NO_NEW_PRIVS failed')
    if libc.syscall(RESTRICT, ctypes.c_int(fd), ctypes.c_uint32(0)) != 0: fail('landlock_restrict_self failed (errno %d)' % ctypes.get_errno())
    os.close(fd)
os.close(null)
if config['gate'] is not None:
    go = b''
    try: go = os.read(config['gate'], 1)
    except OSError: pass
    if go != b'1': os._exit(125)
    os.close(config['gate'])
try: os.execv(argv[0], argv)
except OSError as error: fail('cannot execute %s: %s' % (argv[0], error))
`;

export interface LauncherConfig {
  forwards: [port: number, socket: string][];
  socat: string | null;
  /** Executables still allowed after the Landlock restriction; null: no restriction (the server may spawn). */
  allow: string[] | null;
  /** Files deleted once the forwards run (the launcher's own python3 and socat copies). */
  remove: string[];
  /** The gate descriptor to wait on before executing the server (gate.ts), or null: execute at once. */
  gate: number | null;
}

/** The launcher's argv: python, its isolation flags, the source, the config, then the server's argv. */
export function launcherArgv(python: string, config: LauncherConfig, serverArgv: readonly string[]): string[] {
  return [python, '-I', '-S', '-c', LAUNCHER_SOURCE, JSON.stringify(config), ...serverArgv];
}

const PT_INTERP = 3;

/**
 * The ELF program interpreter (PT_INTERP, System V gABI "Program Header") of a 64-bit
 * little-endian executable's first bytes, or null (a static binary, another format, or the
 * header beyond what was read).
 */
export function elfInterpreter(head: Buffer): string | null {
  if (head.length < 64 || head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return null;
  const phoff = Number(head.readBigUInt64LE(32));
  const phentsize = head.readUInt16LE(54);
  const phnum = head.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 56 > head.length) return null;
    if (head.readUInt32LE(at) !== PT_INTERP) continue;
    const offset = Number(head.readBigUInt64LE(at + 8));
    const size = Number(head.readBigUInt64LE(at + 32));
    if (offset + size > head.length || size < 2) return null;
    return head.subarray(offset, offset + size - 1).toString('latin1');
  }
  return null;
}
