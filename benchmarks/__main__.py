"""`python -m benchmarks`: the table of the README's figures (benchmarks/table.py; --help lists the options).

The audio figures alone, with more detail: `python -m benchmarks.audio` (benchmarks/audio.py).
"""

from __future__ import annotations

import sys

from benchmarks.table import main

if __name__ == "__main__":
    sys.exit(main())
