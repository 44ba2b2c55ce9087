"""Site-level checks of the foundation: planning conditions and the building model.

Every module in this package is imported by :func:`gis.registry.discover_checks`.
"""
