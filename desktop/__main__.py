"""`python -m desktop` and the `voice-assistant` command (desktop/app/command_line.py)."""

import sys

from desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
