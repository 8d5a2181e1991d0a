// What a backend needs beyond the plan: the facts of this machine found at launch (the real
// interpreter and what to bind for it, the Landlock launcher, the egress forwards). The plan says
// what the server may do; the setup says how this machine provides it. Both backends (bwrap.ts,
// seatbelt.ts) are pure functions of the two.

import type { GateKind } from './gate.ts';

/** One listener inside the sandbox that leads, through a Unix socket, to the host side. */
export interface Forward {
  /** The loopback port the server connects to inside the sandbox. */
  port: number;
  /** The host-side Unix socket it leads to (the same path inside: the runtime directory is bound). */
  socket: string;
}

/** The launcher that starts the forwards and applies Landlock before it executes the server (landlock.ts). */
export interface Launcher {
  /** The perl that runs it: a copy in the sandbox's private /tmp (a StagedFile), removed before the server starts. */
  perl: string;
  /** Paths to bind read-only for that perl (beyond the system library directories): its prefix's lib/. */
  bind: string[];
  /**
   * Files the launcher deletes once the forwards run, before the server starts: the copies of
   * perl and socat. With them gone the view holds no program but the server's interpreter, so
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
  /** A private host directory (the forwards' Unix sockets), bound read-write at the same path when there are forwards. */
  runtimeDir: string;
  /** In-sandbox listeners: the egress proxy (at proxyPort) and each declared loopback service. */
  forwards: Forward[];
  /** The port of the HTTP CONNECT proxy inside the sandbox, or null without host-name egress. */
  proxyPort: number | null;
  /** socat for the forwards: a copy in the sandbox's private /tmp (removed by the launcher once started). */
  socat: string | null;
  /** null when perl is missing: then no Landlock (the empty executable view still holds) and no forwards. */
  launcher: Launcher | null;
  /** What waits for the go byte once the tree's re-hash passed (gate.ts); null: started only after it. */
  gate: GateKind;
  /**
   * The tree's own Node compile cache directory (read-write inside at the same path), switched on
   * by the Node gate once the hash passed (gate.ts); null: none (no Node gate, or not asked for).
   */
  compileCache: string | null;
  /** Programs bwrap copies into the sandbox's private /tmp (memory) from a descriptor (`--file`): the launcher's perl and socat. */
  staged: StagedFile[];
}

/** A file bwrap copies in from the descriptor `fd` (opened on `source` at spawn) to `path` inside, mode 0500. */
export interface StagedFile {
  fd: number;
  source: string;
  path: string;
}
