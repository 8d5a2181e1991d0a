// The smallest manifest that passes the hardened profile: manifest 0.3, a Node server run from
// its entry point, and an explicit, empty scopes block. Test bundles use it so that archive
// tests meet archive errors, not manifest ones.

export const HARDENED_MANIFEST = {
  manifest_version: '0.3',
  name: 'tree-test',
  version: '1.0.0',
  description: 'test bundle',
  author: { name: 'mcpseal tests' },
  server: { type: 'node', entry_point: 'server/index.js', mcp_config: { command: 'node', args: ['${__dirname}/server/index.js'] } },
  _meta: {
    'dev.mcpseal': {
      scopes: {
        filesystem: { read: ['${__dirname}'], write: [] },
        network: { egress: [], listen: false },
        process: { spawn: [], workers: false, native_addons: false },
        env: { read: [], secrets: [] },
      },
    },
  },
};
