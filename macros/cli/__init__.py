"""The command line: one module per ``python -m macros`` command."""
