"""``python -m o3ref.verify`` is the ``o3ref`` command."""

import sys

from .cli import main

sys.exit(main())
