// Where a keyless signature's identity token comes from: given explicitly, from
// SIGSTORE_ID_TOKEN, or from the GitHub Actions ambient OIDC endpoint (a job with
// `permissions: id-token: write`). The environment is passed in, never read here.

import { MCPSealError } from '../errors.ts';

export interface TokenEnvironment {
  SIGSTORE_ID_TOKEN?: string | undefined;
  ACTIONS_ID_TOKEN_REQUEST_URL?: string | undefined;
  ACTIONS_ID_TOKEN_REQUEST_TOKEN?: string | undefined;
}

/** A token source for Fulcio, or null when none is available. */
export function identityTokenSource(explicit: string | undefined, env: TokenEnvironment, fetchImpl: typeof fetch = fetch): (() => Promise<string>) | null {
  if (explicit) return async () => explicit;
  const fromEnv = env.SIGSTORE_ID_TOKEN;
  if (fromEnv) return async () => fromEnv;
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (url && bearer) {
    return async () => {
      const request = new URL(url);
      request.searchParams.set('audience', 'sigstore');
      let response: Response;
      try {
        response = await fetchImpl(request, { headers: { Accept: 'application/json', Authorization: `Bearer ${bearer}` } });
      } catch (cause) {
        throw new MCPSealError('SIGNATURE_SIGNING_FAILED', 'cannot reach the GitHub Actions OIDC endpoint', { cause });
      }
      if (!response.ok) throw new MCPSealError('SIGNATURE_SIGNING_FAILED', `the GitHub Actions OIDC endpoint answered ${response.status}`);
      const body = (await response.json()) as { value?: unknown };
      if (typeof body.value !== 'string') throw new MCPSealError('SIGNATURE_SIGNING_FAILED', 'the GitHub Actions OIDC endpoint returned no token');
      return body.value;
    };
  }
  return null;
}
