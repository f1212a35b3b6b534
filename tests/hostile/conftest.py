"""The hostile folder's tests use the shared fixtures one folder up (tests/nursery.py ...)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
