"""Reports about the server for people and CI: the tool catalog and what it costs a model's context."""
