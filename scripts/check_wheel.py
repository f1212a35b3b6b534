"""Check a built photoaudit wheel holds exactly the package: every module and every file of
package data the repository has under ``photoaudit/`` (the templates of ``photoaudit init``,
the demo's register, the CenterFace model and its licences), and nothing else (no tests,
caches, compiled files, registers or photos).

Run from the repository root: ``python scripts/check_wheel.py dist/photoaudit-*.whl``.
Exits 1, naming each file, when one is missing or stray.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import PurePosixPath


def package_files() -> set[str]:
    """The files git tracks under photoaudit/ (what the wheel must hold, no more)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "photoaudit"],
                            capture_output=True, text=True, check=True).stdout.split("\n")
    return {name for name in listed if name}


def wheel_files(wheel: str) -> set[str]:
    """The files in the wheel, less its own metadata (``*.dist-info/``)."""
    with zipfile.ZipFile(wheel) as archive:
        names = {n for n in archive.namelist() if not n.endswith("/")}
    return {n for n in names if not PurePosixPath(n).parts[0].endswith(".dist-info")}


def main(wheel: str) -> int:
    wanted, found = package_files(), wheel_files(wheel)
    missing, stray = sorted(wanted - found), sorted(found - wanted)
    for name in missing:
        print(f"missing from the wheel: {name}", file=sys.stderr)
    for name in stray:
        print(f"stray in the wheel: {name}", file=sys.stderr)
    if missing or stray:
        return 1
    data = sorted(n for n in found if not n.endswith(".py"))
    print(f"{wheel}: {len(found)} files, the package's exactly; package data: {', '.join(data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
