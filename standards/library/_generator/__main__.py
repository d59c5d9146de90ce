"""Write (or check) the library files: ``python -m standards.library._generator [--check]``."""

from __future__ import annotations

import sys

from standards.library._generator.build import main

sys.exit(main(sys.argv[1:]))
