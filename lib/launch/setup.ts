// What a backend needs beyond the plan: the facts of this machine found at launch (the real
// interpreter and what to bind for it, the Landlock launcher, the egress forwards). The plan says
// what the server may do; the setup says how this machine provides it. Both backends (bwrap.ts,
// seatbelt.ts) are pure functions of the two.

/** One listener inside the sandbox that leads, through a Unix socket, to the host side. */
export interface Forward {
  /** The loopback port the server connects to inside the sandbox. */
  port: number;
  /** The host-side Unix socket it leads to (the same path inside: the runtime directory is bound). */
  socket: string;
}

/** The launcher that starts the forwards and applies Landlock before it executes the server (landlock.ts). */
export interface Launcher {
  /** The python3 that runs it: a copy in the runtime directory, removed before the server starts. */
  python: string;
  /** Paths to bind read-only for that python (beyond the system library directories): its prefix's lib/. */
  bind: string[];
  /**
   * Files the launcher deletes once the forwards run, before the server starts: the copies of
   * python3 and socat. With them gone the view holds no program but the server's interpreter, so
   * even `ld.so FILE` (the loader must stay executable) finds nothing else to run.
   */
  remove: string[];
  /** Files whose execution stays allowed after the restriction (the server's interpreter and its loader). */
  allowExec: string[];
}

export interface LaunchSetup {
  /** The real interpreter binary: replaces argv[0] (`node`, `python3` or a pyenv shim are resolved). */
  command: string;
  /** Read-only paths the interpreter needs beyond the system directories (its install prefix). */
  interpreterPaths: string[];
  /** The major version of a Node interpreter (its permission flags differ), else null. */
  nodeMajor: number | null;
  /** A private host directory (the forwards' Unix sockets, the launcher's copies of python3 and socat), bound read-write at the same path. */
  runtimeDir: string;
  /** In-sandbox listeners: the egress proxy (at proxyPort) and each declared loopback service. */
  forwards: Forward[];
  /** The port of the HTTP CONNECT proxy inside the sandbox, or null without host-name egress. */
  proxyPort: number | null;
  /** socat for the forwards: a copy in the runtime directory (removed by the launcher once started). */
  socat: string | null;
  /** null when python3 is missing: then no Landlock (the empty executable view still holds) and no forwards. */
  launcher: Launcher | null;
}
