// The launcher that runs first inside the sandbox (DESIGN.md "Launching under the scopes",
// measured facts): a few lines of Perl (the interpreter alone: no module, not even strict) that
//   1. start the egress forwards (socat: 127.0.0.1:PORT -> the Unix socket of the host side),
//      with stdin and stdout on /dev/null so they never touch the MCP stream, and wait until each
//      listens (read from /proc/net/tcp: no probe connection reaches the host side);
//   2. restrict execution with Landlock (kernel Documentation/userspace-api/landlock.rst): a
//      ruleset that handles LANDLOCK_ACCESS_FS_EXECUTE and allows it only on the server's
//      interpreter and its ELF loader, then landlock_restrict_self (bwrap has already set
//      no_new_privs, which it does for every sandbox; without it the restriction fails, and so
//      does the launch);
//   3. when it is the start gate (gate.ts), wait for the go byte on the gate descriptor: end of
//      file (the re-hash failed, or run died) exits 125 without running anything of the bundle;
//   4. execute the server's interpreter. Every later execve in the server fails with EACCES.
// The forwards start before step 2, so they are not restricted; they are children of this
// process in the sandbox's pid namespace and die with it.
//
// Perl, not Python: perl-base is Essential in Debian and Ubuntu (always installed), it starts in
// about 3 ms where python3 with ctypes took 12-14, and its syscall() reaches Landlock without a
// foreign-function module (the Landlock syscall numbers, 444-446, are the same on every Linux
// architecture). It runs with -t: taint mode, under which perl ignores PERL5OPT, PERL5LIB and
// PERLLIB (perlrun), so a declared variable cannot load code of the bundle into it before the
// hash passed; what reaches exec is untainted explicitly, unchanged.
//
// The loader must stay executable (the kernel opens PT_INTERP with the same check as execve), so
// `ld.so <file>` can still run an ELF file the server can read; that is why the executable view
// is empty as well (no /bin, /usr/bin), and why perl and socat run from copies in the sandbox's
// private /tmp that this launcher deletes before the server starts: nothing else is left to run.
// Without Landlock (kernel < 5.13 or disabled) the launcher says so on stderr and continues: the
// empty view remains. A rule's file is opened for reading (perl has no O_PATH constant): an
// interpreter the user cannot read (mode --x) is not allowed, and the launch stops with the reason
// (exit 126) rather than run without the rule.
//
// Its arguments (launcherArgv): after `--`, the gate descriptor or "-", socat or "-", then counted
// lists (a count, then that many arguments): the variables to remove before exec, the Landlock
// switch (1, or 0: no restriction) and the executables it allows, the files to delete, the
// forwards (port, socket, port, socket...); then `--` and the server's argv. Every value is an
// argument of its own: nothing is parsed or escaped.

/** Perl source, run as `perl -t -e LAUNCHER_SOURCE -- ARGUMENTS... -- ARGV...` (launcherArgv). */
export const LAUNCHER_SOURCE = String.raw`
my @a = @ARGV;
sub fail { print STDERR "mcpseal launcher: $_[0]\n"; exit 126 }
sub clean { my ($v) = $_[0] =~ /\A(.*)\z/s; return $v }
sub count { my $n = shift @a; fail('bad arguments') unless defined $n && $n =~ /\A\d+\z/; return $n }
sub list { my $n = count(); fail('bad arguments') if $n > @a; return map { clean($_) } splice(@a, 0, $n) }
my $gate = shift @a;
my $socat = clean(shift @a);
my @unset = list();
my $landlock = count();
my @allow = list();
my @remove = list();
my @forwards = list();
fail('bad arguments') unless defined $gate && ($gate eq '-' || $gate =~ /\A\d+\z/) && @forwards % 2 == 0 && (shift(@a) // '') eq '--' && @a;
my @server = map { clean($_) } @a;
# The server's environment from here on (the socat forwards get it too), untainted as it is.
delete @ENV{@unset};
$ENV{$_} = clean($ENV{$_}) for keys %ENV;
# -t reports an insecure directory in the plan's PATH as a warning at each exec; PATH stays as it is.
$SIG{__WARN__} = sub {};
open(my $null, '+<', '/dev/null') or fail("cannot open /dev/null: $!");
# Both loopback addresses: a client resolving "localhost" may try ::1 first.
my $v6 = -e '/proc/net/if_inet6';
sub forward {
    my $pid = fork();
    fail("fork failed: $!") unless defined $pid;
    if ($pid == 0) {
        open(STDIN, '<&', $null); open(STDOUT, '>&', $null);
        exec { $socat } 'socat', $_[0], "UNIX-CONNECT:$_[1]";
        exit 127;
    }
    return $pid;
}
my (%wanted, @six);
while (my ($port, $socket) = splice(@forwards, 0, 2)) {
    fail('bad arguments') unless $port =~ /\A\d+\z/;
    $wanted{$port} = 1;
    forward("TCP4-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork", $socket);
    push @six, forward("TCP6-LISTEN:$port,bind=[::1],ipv6only=1,reuseaddr,fork", $socket) if $v6;
}
sub listening {
    my %found;
    open(my $table, '<', $_[0]) or return \%found;
    <$table>;
    while (my $line = <$table>) {
        my @f = split ' ', $line;
        $found{hex((split /:/, $f[1])[1])} = 1 if $f[3] eq '0A';
    }
    return \%found;
}
sub all_listen { my $set = listening($_[0]); for (keys %wanted) { return 0 unless $set->{$_} } return 1 }
# IPv6 is best effort: a namespace without ::1 makes its socat exit, and IPv4 still serves.
sub six_done { return 1 if !$v6 || all_listen('/proc/net/tcp6'); for (@six) { return 0 if waitpid($_, 1) == 0 } return 1 }
my $waits = 0;
while (%wanted && !(all_listen('/proc/net/tcp') && six_done())) {
    fail('the egress forwards did not start') if ++$waits > 1600;
    select(undef, undef, undef, 0.003);
}
for (@remove) { unlink($_) or fail("cannot remove $_: $!") }
if ($landlock) {
    my $abi = syscall(444, 0, 0, 1);
    if ($abi < 1) {
        print STDERR 'mcpseal launcher: Landlock is not available (errno ' . ($! + 0) . "); only the empty executable view limits execution\n";
    } else {
        my $ruleset = pack('Q', 1);
        my $fd = syscall(444, $ruleset, length($ruleset), 0);
        fail('landlock_create_ruleset failed (errno ' . ($! + 0) . ')') if $fd < 0;
        for my $path (@allow) {
            open(my $file, '<', $path) or fail("cannot open $path: $!");
            my $rule = pack('Ql', 1, fileno($file));
            fail("landlock_add_rule $path failed (errno " . ($! + 0) . ')') if syscall(445, $fd, 1, $rule, 0) != 0;
            close($file);
        }
        fail('landlock_restrict_self failed (errno ' . ($! + 0) . ')') if syscall(446, $fd, 0) != 0;
    }
}
close($null);
if ($gate ne '-') {
    open(my $pipe, '<&=', $gate) or exit 125;
    my $go = '';
    sysread($pipe, $go, 1);
    exit 125 unless $go eq '1';
    close($pipe);
}
exec { $server[0] } @server or fail("cannot execute $server[0]: $!");
`;

export interface LauncherConfig {
  forwards: [port: number, socket: string][];
  socat: string | null;
  /** Executables still allowed after the Landlock restriction; null: no restriction (the server may spawn). */
  allow: string[] | null;
  /** Files deleted once the forwards run (the launcher's own perl and socat copies). */
  remove: string[];
  /** The gate descriptor to wait on before executing the server (gate.ts), or null: execute at once. */
  gate: number | null;
  /** Variables set for the launcher alone (launcherEnv), removed before the server is executed. */
  unset: string[];
}

/** The launcher's argv: perl in taint mode, the source, its arguments, then the server's argv. */
export function launcherArgv(perl: string, config: LauncherConfig, serverArgv: readonly string[]): string[] {
  const counted = (items: readonly string[]): string[] => [String(items.length), ...items];
  return [
    perl,
    '-t',
    '-e',
    LAUNCHER_SOURCE,
    '--',
    config.gate === null ? '-' : String(config.gate),
    config.socat ?? '-',
    ...counted(config.unset),
    config.allow === null ? '0' : '1',
    ...counted(config.allow ?? []),
    ...counted(config.remove),
    ...counted(config.forwards.flatMap(([port, socket]) => [String(port), socket])),
    '--',
    ...serverArgv,
  ];
}

/**
 * What the launcher needs in its environment beyond the server's: PERL_BADLANG=0, so a LANG that
 * names a locale this machine lacks does not make perl print its locale warning at every start
 * (python3 never did). It is removed again before the server runs, unless the server declares it.
 */
export function launcherEnv(serverEnv: Readonly<Record<string, string>>): Record<string, string> {
  return Object.hasOwn(serverEnv, 'PERL_BADLANG') ? {} : { PERL_BADLANG: '0' };
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
