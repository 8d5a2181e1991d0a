// Home-directory secrets (issue 13, risks 1, 6, 10): the files an info-stealer reads first. One
// rule for JavaScript and Python: a string that is a path (not a sentence) naming one of them.
// Which secret it is goes into the observation, so the audit can say "reads SSH keys".

export type SecretKind =
  | 'ssh' | 'aws' | 'gcloud' | 'azure' | 'kube' | 'docker' | 'npmrc' | 'pypirc' | 'netrc' | 'gnupg'
  | 'git-credentials' | 'browser-profile' | 'keychain' | 'windows-credentials';

/** The first matching rule wins; each pattern reads a `/`-separated path (backslashes are turned first). */
const RULES: ReadonlyArray<readonly [RegExp, SecretKind]> = [
  [/(?:^|[/~])\.ssh(?:\/|$)|(?:^|\/)id_(?:rsa|ed25519|ecdsa|dsa)(?:\.pub)?$/iu, 'ssh'],
  [/(?:^|[/~])\.aws(?:\/|$)/iu, 'aws'],
  [/(?:^|\/)\.config\/gcloud(?:\/|$)|(?:^|\/)gcloud\/(?:application_default_credentials\.json|credentials\.db|access_tokens\.db|legacy_credentials)/iu, 'gcloud'],
  [/(?:^|[/~])\.azure(?:\/|$)/iu, 'azure'],
  [/(?:^|[/~])\.kube(?:\/|$)/iu, 'kube'],
  [/(?:^|[/~])\.docker\/config\.json$/iu, 'docker'],
  [/(?:^|[/~])\.npmrc$/iu, 'npmrc'],
  [/(?:^|[/~])\.pypirc$/iu, 'pypirc'],
  [/(?:^|[/~])[._]netrc$/iu, 'netrc'],
  [/(?:^|[/~])\.gnupg(?:\/|$)/iu, 'gnupg'],
  [/(?:^|[/~])\.git-credentials$/iu, 'git-credentials'],
  [/(?:^|\/)\.config\/(?:google-chrome|chromium|BraveSoftware|microsoft-edge)(?:\/|$)|(?:^|\/)\.mozilla\/firefox(?:\/|$)|(?:Application Support|AppData\/(?:Local|Roaming))\/(?:Google\/Chrome|Chromium|Mozilla\/Firefox|Firefox|BraveSoftware|Microsoft\/Edge|Microsoft Edge)(?:\/|$)|(?:^|\/)(?:Login Data|key4\.db|cookies\.sqlite)$/iu, 'browser-profile'],
  [/(?:^|\/)Library\/Keychains(?:\/|$)|\.keychain(?:-db)?$/iu, 'keychain'],
  [/AppData\/(?:Local|Roaming)\/Microsoft\/(?:Credentials|Protect|Vault)(?:\/|$)/iu, 'windows-credentials'],
];

/** Path segments with a space that real profile paths hold; any other space makes the string a sentence. */
const SPACED_SEGMENTS = /Application Support|User Data|Login Data|Microsoft Edge/giu;
const KEYCHAIN_COMMAND = /^security\s+(?:find-generic-password|find-internet-password|dump-keychain)\b/u;

/** A cheap filter every candidate string passes first (most strings in a bundle name no secret). */
const MAYBE = /ssh|id_|aws|gcloud|azure|kube|docker|npmrc|pypirc|netrc|gnupg|git-cred|chrom|firefox|mozilla|brave|edge|login data|key4|cookies|keychain|security|microsoft/iu;

/** Which home-directory secret `text` names, when it is a path (or the keychain command), else undefined. */
export function secretOfPath(text: string): SecretKind | undefined {
  if (text.length < 4 || text.length > 512 || !MAYBE.test(text) || text.includes('\n')) return undefined;
  const trimmed = text.trim();
  if (KEYCHAIN_COMMAND.test(trimmed)) return 'keychain';
  if (/\s/u.test(trimmed.replace(SPACED_SEGMENTS, ''))) return undefined;
  const path = trimmed.replace(/\\+/gu, '/');
  return RULES.find(([pattern]) => pattern.test(path))?.[1];
}
