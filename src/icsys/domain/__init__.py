"""Pure model of the health and care system: levels, codes, effective dating, structure.

Nothing here does I/O or imports an engine library (an import-linter contract keeps it so).
"""
