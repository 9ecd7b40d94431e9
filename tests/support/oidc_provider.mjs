// A real OpenID provider (the `oidc-provider` npm package, installed by tools/oidc-provider.sh)
// for the OIDC tests: discovery, JWKS and RS256 JWT access tokens by the client_credentials
// grant, audience "signaling". Started by tests/support/oidc.py.
//
// Environment: OIDC_PORT, OIDC_KEYS (a file with the private JWKS), OIDC_MODULE (the package's
// entry file). The clients: "alice" (a user) and "gateway" (the opentalk-call-in role).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const { default: Provider } = await import(pathToFileURL(process.env.OIDC_MODULE).href);
const port = Number(process.env.OIDC_PORT);
const jwks = JSON.parse(readFileSync(process.env.OIDC_KEYS, 'utf8'));
const client = (id) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  grant_types: ['client_credentials'],
  redirect_uris: [],
  response_types: [],
});

const provider = new Provider(`http://127.0.0.1:${port}`, {
  jwks,
  cookies: { keys: ['signaling-tests-only'] },
  ttl: { ClientCredentials: 600 },
  clients: [client('alice'), client('gateway')],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:signaling',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'openid',
        audience: 'signaling',
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  extraTokenClaims: (ctx, token) => ({
    name: `${token.clientId} (OIDC)`,
    realm_access: { roles: token.clientId === 'gateway' ? ['opentalk-call-in'] : [] },
  }),
});
provider.on('server_error', (ctx, error) => console.error(error));
provider.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
