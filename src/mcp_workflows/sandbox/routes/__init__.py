"""Sandbox routes, one module per upstream area (plus `admin`, the sandbox's own controls).

Each module exports `ROUTES`; `app.py` orders them as the upstream router does.
"""
