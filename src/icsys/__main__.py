"""Allow ``python -m icsys``."""

from icsys.cli.main import run

run()
