// Where a home directory keeps credentials. One list for every path rule that must not hand them
// to a server without a word: filesystem scopes that reach into them (a warning: an honest
// declaration, for the installer's policy to refuse) and `user_config` defaults that point at
// them (an error: a default hides the grant behind an innocent-looking `${user_config.KEY}`).
// The pack step's DEFAULT_SECRET_PATTERNS (lib/archive/collect.ts) names the same stores as
// file-name patterns of a source tree; this list names them as places under `${HOME}`.

/** Paths relative to the home directory, `/`-separated. */
export const HOME_SECRETS: readonly string[] = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.kube',
  '.docker/config.json',
  '.netrc',
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  '.pypirc',
  '.git-credentials',
  '.config/gh',
  '.password-store',
  '.local/share/keyrings',
  'Library/Keychains',
];

/**
 * The home-directory secret store that the symbolic path `segments` (as `symbolicSegments`
 * returns them, `${HOME}` first) lies in or is, or null. Compared case-insensitively: macOS and
 * Windows home directories usually are.
 */
export function homeSecretOf(segments: readonly string[]): string | null {
  const home = homeRelative(segments);
  if (home === null) return null;
  const rest = home.map((segment) => segment.toLowerCase());
  for (const secret of HOME_SECRETS) {
    const parts = secret.toLowerCase().split('/');
    if (parts.length <= rest.length && parts.every((part, index) => part === rest[index])) return secret;
  }
  return null;
}

/**
 * What symbolic path `segments` grant when that is everything the user has: the whole file system
 * (`/`, `${/}`, a drive root such as `C:`) or the whole home directory; null otherwise.
 */
export function broadReach(segments: readonly string[]): 'the whole file system' | 'the whole home directory' | null {
  if (segments.length === 1 && (segments[0] === '' || /^[A-Za-z]:$/u.test(segments[0]!))) return 'the whole file system';
  return homeRelative(segments)?.length === 0 ? 'the whole home directory' : null;
}

/**
 * The segments below the home directory when `segments` start there: `${HOME}`, or a home
 * written out (`/home/NAME`, `/Users/NAME`, `/root`, `C:/Users/NAME`); null otherwise.
 */
export function homeRelative(segments: readonly string[]): string[] | null {
  const [first, second] = segments;
  if (first === '${HOME}') return segments.slice(1);
  if (first === '' && (second === 'home' || second === 'Users') && segments.length >= 3) return segments.slice(3);
  if (first === '' && second === 'root') return segments.slice(2);
  if (first !== undefined && /^[A-Za-z]:$/u.test(first) && second?.toLowerCase() === 'users' && segments.length >= 3) return segments.slice(3);
  return null;
}
