"""The ``icsys`` command line: thin Typer commands that call services."""
