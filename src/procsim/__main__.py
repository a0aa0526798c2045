"""``python -m procsim``."""

import sys

from procsim.cli.main import main

sys.exit(main())
