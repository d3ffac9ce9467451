"""Indicator definitions: the YAML models, the loader and the Python extension point."""
