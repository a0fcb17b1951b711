// A real OAuth 2.1 authorization server for the OAuth tests: panva's oidc-provider (a certified
// OpenID provider) issuing JWT access tokens (RFC 9068) for the resource a client names (RFC 8707),
// through the client credentials grant. Three issuers run on loopback ports:
//   main          the issuer the MCP server trusts;
//   other_issuer  another issuer URL signing with the same key (its tokens verify, their iss does not);
//   forger        the main issuer's URL and key id, another key (its tokens claim all the right things).
// Clients (secret = "<client_id>-secret"): agent-full (every workflows scope), agent-read
// (workflows:read only), agent-brief (every scope, tokens live BRIEF_TTL_S seconds).
// Prints one JSON line with each issuer's URL and token endpoint once all listen; stops on SIGTERM.
//   node tools/node/authorization-server.mjs
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const SCOPES = ["workflows:read", "workflows:write", "workflows:execute", "workflows:destructive"];
const BRIEF_TTL_S = 3;
const KEY_ID = "signing-key";

function signingKeys() {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { keys: [{ ...privateKey.export({ format: "jwk" }), kid: KEY_ID, alg: "ES256", use: "sig" }] };
}

function client(clientId, scopes) {
  return {
    client_id: clientId,
    client_secret: `${clientId}-secret`,
    grant_types: ["client_credentials"],
    redirect_uris: [],
    response_types: [],
    scope: scopes.join(" "),
    id_token_signed_response_alg: "ES256", // the issuers hold one P-256 key
  };
}

async function listening() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function issuer(jwks, server, issuerUrl) {
  const provider = new Provider(issuerUrl, {
    clients: [client("agent-full", SCOPES), client("agent-read", ["workflows:read"]), client("agent-brief", SCOPES)],
    jwks,
    scopes: SCOPES,
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource, requester) => ({
          scope: SCOPES.join(" "),
          accessTokenFormat: "jwt",
          accessTokenTTL: requester.clientId === "agent-brief" ? BRIEF_TTL_S : 600,
          jwt: { sign: { alg: "ES256" } },
        }),
      },
    },
  });
  provider.proxy = false;
  server.on("request", provider.callback());
  return { issuer: issuerUrl, token_endpoint: `${issuerUrl}/token` };
}

const base = (server) => `http://127.0.0.1:${server.address().port}`;
const mainKeys = signingKeys();
const [mainServer, otherServer, forgerServer] = await Promise.all([listening(), listening(), listening()]);
const issuers = {
  main: await issuer(mainKeys, mainServer, base(mainServer)),
  other_issuer: await issuer(mainKeys, otherServer, base(otherServer)),
  forger: await issuer(signingKeys(), forgerServer, base(mainServer)),
};
// The forger answers on its own port but signs as the main issuer.
issuers.forger.token_endpoint = `${base(forgerServer)}/token`;
process.stdout.write(JSON.stringify({ ...issuers, brief_ttl_s: BRIEF_TTL_S }) + "\n");

process.on("SIGTERM", () => {
  for (const server of [mainServer, otherServer, forgerServer]) server.close();
  process.exit(0);
});
