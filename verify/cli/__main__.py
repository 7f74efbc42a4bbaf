"""``python -m o3ref.verify.cli`` is the ``o3ref`` command (as before cli became a package)."""

import sys

from . import main

sys.exit(main())
