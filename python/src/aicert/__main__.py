"""``python -m aicert verify CERT …`` and ``python -m aicert hash PATH…``."""

import sys

from .cli import main

sys.exit(main())
