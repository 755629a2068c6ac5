"""`python -m servicecenter …` — the same as the `servicecenter` command."""

import sys

from servicecenter.cli import main

if __name__ == "__main__":
    sys.exit(main())
