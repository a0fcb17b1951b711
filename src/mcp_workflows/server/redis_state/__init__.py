"""The state replicas share through one Redis (MCP_WORKFLOWS_REDIS_URL; the `redis` extra).

- `connection`: the client, the start-up check, failures told as refusals without the password;
- `spent`: spent confirmations, one `SET NX` per confirmation (the first replica to spend wins);
- `caps`: the caps' sliding windows, one sorted set per cap, counted by Lua scripts on Redis's clock;
- `bus`: change notifications over pub/sub, so a listener on any replica hears every replica;
- `state`: the three together, opened with the server's lifespan.

Keys and the channel start with MCP_WORKFLOWS_REDIS_KEY_PREFIX (`mcp-workflows`):
`<prefix>:confirmations:<sha256>`, `<prefix>:caps:<risk class>`, `<prefix>:events`. Every key
expires on its own. Redis needs no persistence, at a known cost: a Redis restarted empty forgets
cap counts, and spent confirmations that had not yet expired (a token could then be used once
more within its lifetime, MCP_WORKFLOWS_CONFIRMATION_TTL_S).
"""
