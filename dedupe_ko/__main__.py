"""``python -m dedupe_ko``: the same as the ``dedupe-ko`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
