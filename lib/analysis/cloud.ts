// Transitive cloud trust (issue 13, risk 10): which cloud a host belongs to, and which cloud an
// environment variable's credentials open. A bundle that reads `AWS_SECRET_ACCESS_KEY` holds the
// user's whole AWS account, whatever its tools say; egress grouped by provider shows whose
// infrastructure the data crosses. Pure tables, no I/O.

export type CloudProvider =
  | 'aws' | 'gcp' | 'azure' | 'cloudflare' | 'digitalocean' | 'oracle' | 'ibm' | 'alibaba'
  | 'vercel' | 'netlify' | 'heroku' | 'fly' | 'supabase';

/** Environment variable prefixes and names read by each provider's SDKs and command-line tools. */
const ENV_RULES: ReadonlyArray<readonly [RegExp, CloudProvider]> = [
  [/^AWS_|^AMAZON_/u, 'aws'],
  [/^(?:GOOGLE_APPLICATION_CREDENTIALS|GOOGLE_CLOUD_\w+|GCLOUD_\w+|GCP_\w+|CLOUDSDK_\w+|GOOGLE_API_KEY|GOOGLE_CLIENT_SECRET|FIREBASE_\w+)$/u, 'gcp'],
  [/^(?:AZURE_\w+|ARM_(?:CLIENT_ID|CLIENT_SECRET|TENANT_ID|SUBSCRIPTION_ID|ACCESS_KEY)|MSI_ENDPOINT|MSI_SECRET|IDENTITY_ENDPOINT|IDENTITY_HEADER)$/u, 'azure'],
  [/^(?:CLOUDFLARE_\w+|CF_API_TOKEN|CF_API_KEY|CF_ACCOUNT_ID|CF_API_EMAIL)$/u, 'cloudflare'],
  [/^(?:DIGITALOCEAN_\w+|DO_API_TOKEN|DO_ACCESS_TOKEN|SPACES_(?:KEY|SECRET|ACCESS_KEY_ID|SECRET_ACCESS_KEY))$/u, 'digitalocean'],
  [/^OCI_\w+$/u, 'oracle'],
  [/^(?:IBMCLOUD_\w+|IC_API_KEY|IBM_CLOUD_\w+)$/u, 'ibm'],
  [/^(?:ALIBABA_CLOUD_\w+|ALICLOUD_\w+)$/u, 'alibaba'],
  [/^VERCEL_\w+$/u, 'vercel'],
  [/^NETLIFY_\w+$/u, 'netlify'],
  [/^HEROKU_\w+$/u, 'heroku'],
  [/^FLY_(?:API_TOKEN|ACCESS_TOKEN)$/u, 'fly'],
  [/^SUPABASE_\w+$/u, 'supabase'],
];

/** The variables among those that are secrets or point at them (not a region or a project id). */
const CREDENTIAL = /KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL|SESSION|ROLE_ARN|WEB_IDENTITY|CONNECTION_STRING|SAS|CLIENT_ID|IDENTITY_HEADER/u;

/** The cloud whose SDKs read the environment variable `name`, or undefined. */
export function cloudProviderOfEnv(name: string): CloudProvider | undefined {
  const upper = name.toUpperCase();
  return ENV_RULES.find(([pattern]) => pattern.test(upper))?.[1];
}

/** Whether `name` is a cloud credential (or names a file holding one), not only configuration. */
export function isCloudCredentialEnv(name: string): boolean {
  const upper = name.toUpperCase();
  return cloudProviderOfEnv(upper) !== undefined && (CREDENTIAL.test(upper) || upper === 'GOOGLE_APPLICATION_CREDENTIALS' || upper === 'AWS_PROFILE');
}

/** Registrable domains (and their subdomains) run by each provider: its APIs, storage, functions and hosting. */
const HOST_SUFFIXES: ReadonlyArray<readonly [string, CloudProvider]> = [
  ['amazonaws.com', 'aws'], ['amazonaws.com.cn', 'aws'], ['aws.amazon.com', 'aws'], ['cloudfront.net', 'aws'], ['awsapps.com', 'aws'],
  ['amazoncognito.com', 'aws'], ['aws.dev', 'aws'], ['on.aws', 'aws'], ['awsglobalaccelerator.com', 'aws'], ['elasticbeanstalk.com', 'aws'],
  ['googleapis.com', 'gcp'], ['cloud.google.com', 'gcp'], ['gcr.io', 'gcp'], ['pkg.dev', 'gcp'], ['cloudfunctions.net', 'gcp'], ['run.app', 'gcp'],
  ['appspot.com', 'gcp'], ['firebaseio.com', 'gcp'], ['firebaseapp.com', 'gcp'], ['web.app', 'gcp'], ['googleusercontent.com', 'gcp'], ['cloudrun.dev', 'gcp'],
  ['azure.com', 'azure'], ['azure.net', 'azure'], ['azurewebsites.net', 'azure'], ['windows.net', 'azure'], ['azure-api.net', 'azure'],
  ['azureedge.net', 'azure'], ['azurecr.io', 'azure'], ['azurefd.net', 'azure'], ['azurestaticapps.net', 'azure'], ['azure-devices.net', 'azure'],
  ['microsoftonline.com', 'azure'], ['cloudapp.net', 'azure'], ['azurecontainerapps.io', 'azure'],
  ['cloudflare.com', 'cloudflare'], ['workers.dev', 'cloudflare'], ['pages.dev', 'cloudflare'], ['cloudflarestorage.com', 'cloudflare'], ['r2.dev', 'cloudflare'],
  ['digitalocean.com', 'digitalocean'], ['digitaloceanspaces.com', 'digitalocean'], ['ondigitalocean.app', 'digitalocean'],
  ['oraclecloud.com', 'oracle'], ['oci.oraclecloud.com', 'oracle'],
  ['cloud.ibm.com', 'ibm'], ['appdomain.cloud', 'ibm'], ['bluemix.net', 'ibm'],
  ['aliyuncs.com', 'alibaba'], ['alibabacloud.com', 'alibaba'], ['aliyun.com', 'alibaba'],
  ['vercel.app', 'vercel'], ['vercel.com', 'vercel'], ['now.sh', 'vercel'],
  ['netlify.app', 'netlify'], ['netlify.com', 'netlify'],
  ['herokuapp.com', 'heroku'], ['heroku.com', 'heroku'],
  ['fly.dev', 'fly'], ['fly.io', 'fly'],
  ['supabase.co', 'supabase'], ['supabase.com', 'supabase'],
];

/** The cloud provider that runs `host` (a name, not an address), or undefined. Case and a trailing dot are ignored. */
export function cloudProviderOfHost(host: string): CloudProvider | undefined {
  const name = host.toLowerCase().replace(/\.$/u, '');
  if (name === '' || /^[\d.]+$|:/u.test(name)) return undefined;
  let best: readonly [string, CloudProvider] | undefined;
  for (const rule of HOST_SUFFIXES) {
    // At a label boundary: `evilamazonaws.com` is not AWS.
    if ((name === rule[0] || name.endsWith(`.${rule[0]}`)) && (best === undefined || rule[0].length > best[0].length)) best = rule;
  }
  return best?.[1];
}
