"""Where the simulator finds Intuit's published files (the project's read-only ``shared/`` folder)."""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DIR_ENV = "ESPQB_SHARED_DIR"


def shared_dir() -> Path:
    """``$ESPQB_SHARED_DIR``, else ``shared/`` beside the repository root."""
    configured = os.environ.get(SHARED_DIR_ENV)
    if configured:
        return Path(configured)
    # sandbox/src/qb_sandbox/webconnector/ -> parents[4] is the repository root.
    return Path(__file__).resolve().parents[4].parent / "shared"


def intuit_wsdl_path() -> Path:
    return shared_dir() / "qb" / "QBWebConnectorSvc.wsdl"
