"""``python -m o3ref`` is the ``o3ref`` command line (:func:`o3ref.verify.cli.main`)."""

import sys

from o3ref.verify.cli import main

if __name__ == "__main__":
    sys.exit(main())
