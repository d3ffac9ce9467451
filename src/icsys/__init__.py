"""icsys: the open operating platform for England's integrated care systems."""

__version__ = "0.1.0"
