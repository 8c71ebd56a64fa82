"""``python -m aicert_verify verify CERT …`` and ``python -m aicert_verify hash PATH…``."""

import sys

from .cli import main

sys.exit(main())
