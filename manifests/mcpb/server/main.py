"""Entry point of the MCPB bundle: `mcp-workflows serve`, configured by the environment the host sets.

Any arguments replace `serve` (e.g. `serve --sandbox`), so a host that runs the entry point bare and
one that follows `mcp_config` start the same server.
"""

import sys

from mcp_workflows.cli import main

main(sys.argv[1:] or ["serve"])
