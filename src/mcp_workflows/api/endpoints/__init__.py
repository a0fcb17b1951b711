"""Upstream endpoints as data, one module per area: importing them costs no model building.

The tool catalog and the coverage checks read these; the area clients call them.
"""
