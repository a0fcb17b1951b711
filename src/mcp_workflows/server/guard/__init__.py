"""The guard story, in one folder: what an agent may call and what happens when it does.

- `selection`: which tools this process exposes (toolsets, read-only mode, exclusions);
- `gate`: every call passes it: the caller's scopes, scope rules and caps before, listings trimmed
  and audit after;
- `caller`: who calls over HTTP and which risk classes their OAuth scopes allow;
- `scope`: the operator's allow/deny lists of workflow names; `targets` resolves ids to names;
- `caps`: executions started and destructive calls per window;
- `confirmation`: the user's confirmation before destructive (and, when configured, execute) calls;
- `audit`: one JSON line per mutating call.
"""
