"""Readers and writers: bounded YAML, schemas, process and scenario files, atomic writes.

Importing this package is cheap; its modules are imported when used.
"""

#: The process a command uses when none is named (a file in ``procsim/processes/``).
DEFAULT_PROCESS = "police_misconduct_ew"
