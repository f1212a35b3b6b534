"""How much a virtual environment takes on disk, in all and per installed package.

Run with the environment's own Python: ``VENV/bin/python scripts/install_size.py [--max-mb N]``.
Prints the environment's size (every file under ``sys.prefix``, as ``du --apparent-size``
counts) and each distribution's (the files its RECORD lists), largest first. With
``--max-mb`` it exits 1 when the environment is larger (.ci/run keeps the install lean so).
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import metadata
from pathlib import Path

MB = 1_000_000


def folder_bytes(folder: Path) -> int:
    """The sizes of every regular file under ``folder`` (links not followed), added up."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def distribution_bytes() -> dict[str, int]:
    """Each installed distribution's name -> the sizes of the files its RECORD lists."""
    sizes: dict[str, int] = {}
    for dist in metadata.distributions():
        files = [Path(str(dist.locate_file(f))) for f in dist.files or ()]
        sizes[dist.metadata["Name"]] = sum(p.stat().st_size for p in files if p.is_file() and not p.is_symlink())
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-mb", type=float, default=None, help="exit 1 when the environment is larger")
    args = parser.parse_args()
    total = folder_bytes(Path(sys.prefix))
    print(f"{sys.prefix}: {total / MB:.0f} MB")
    for name, size in sorted(distribution_bytes().items(), key=lambda item: -item[1]):
        print(f"  {size / MB:8.1f} MB  {name}")
    if args.max_mb is not None and total > args.max_mb * MB:
        print(f"The environment takes {total / MB:.0f} MB, more than {args.max_mb:.0f} MB.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
