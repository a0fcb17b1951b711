"""Pydantic models of upstream requests and responses, one module per area."""
