"""Route handlers of the sandbox, one module per upstream area."""
