"""The typed async Workflows API client. Knows nothing about MCP.

Nothing is imported here: the server imports the client (and its models) only when it opens it,
which keeps start-up fast.
"""
