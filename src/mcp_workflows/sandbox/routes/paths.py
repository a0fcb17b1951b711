"""The upstream prefix every Workflows route lives under."""

P = "/v1/workflows"
