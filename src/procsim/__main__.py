"""``python -m procsim``."""

from procsim.cli.main import program

program()
