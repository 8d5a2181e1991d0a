// Which cloud provider a host belongs to, by the provider's documented service domains. Risk 10
// groups the hosts a server contacts by provider: trusting the server means trusting each of them
// with what the server sends.

const PROVIDERS: readonly [string, RegExp][] = [
  ['AWS', /(?:^|\.)(?:amazonaws\.com|aws\.amazon\.com|cloudfront\.net|awsapps\.com|amazoncognito\.com)$/u],
  ['Google Cloud', /(?:^|\.)(?:googleapis\.com|cloud\.google\.com|appspot\.com|run\.app|cloudfunctions\.net|firebaseio\.com|gstatic\.com)$/u],
  ['Microsoft Azure', /(?:^|\.)(?:azure\.com|azure\.net|windows\.net|azurewebsites\.net|microsoftonline\.com|cloudapp\.net|graph\.microsoft\.com)$/u],
  ['Cloudflare', /(?:^|\.)(?:cloudflare\.com|workers\.dev|pages\.dev|r2\.dev)$/u],
  ['GitHub', /(?:^|\.)(?:github\.com|githubusercontent\.com|ghcr\.io)$/u],
  ['Vercel', /(?:^|\.)(?:vercel\.app|vercel\.com)$/u],
  ['DigitalOcean', /(?:^|\.)(?:digitaloceanspaces\.com|digitalocean\.com)$/u],
  ['Oracle Cloud', /(?:^|\.)oraclecloud\.com$/u],
  ['OpenAI', /(?:^|\.)openai\.com$/u],
  ['Anthropic', /(?:^|\.)anthropic\.com$/u],
];

/** The provider of `host`, or null for a host of no listed provider. */
export function providerOf(host: string): string | null {
  const name = host.toLowerCase().replace(/^\*\./u, '');
  for (const [provider, pattern] of PROVIDERS) if (pattern.test(name)) return provider;
  return null;
}
