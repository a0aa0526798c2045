"""``python -m procsim``."""

import sys

from ._cli import main

sys.exit(main())
