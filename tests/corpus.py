"""Where the shared material lives: `../shared` beside the repository (as in CI), unless
`ETALON_SHARED` names another folder."""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ETALON_SHARED", REPOSITORY.parent / "shared"))
CORPUS = SHARED / "corpora" / "bpmn-miwg"
