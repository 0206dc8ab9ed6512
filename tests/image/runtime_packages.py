#!/usr/bin/env python3
"""Compares the packages docker/Dockerfile's runtime stage installs with those the binary needs.

    runtime_packages.py DOCKERFILE NEEDED_PACKAGE...

NEEDED_PACKAGE: the Debian packages that provide the binary's NEEDED libraries (image_test.sh
asks dpkg inside the image). The runtime stage must install exactly those, plus the packages its
HEALTHCHECK runs (curl): a library missing from the list works today only through another
package's dependencies, and an extra package is weight nobody uses. Exits 1 naming the difference.
"""
import re
import sys
from pathlib import Path

# Installed for the image's own commands, not for the binary.
HEALTHCHECK_PACKAGES = {"curl"}


def runtime_install_list(dockerfile):
    """The packages of the `apt-get install` in the last stage (the one the image ships)."""
    last_stage = re.split(r"^FROM\s", dockerfile, flags=re.MULTILINE)[-1]
    match = re.search(r"apt-get install((?:[^&]|\\\n)*)&&", last_stage)
    if not match:
        sys.exit("runtime_packages: no apt-get install in the runtime stage")
    words = match.group(1).replace("\\\n", " ").split()
    return {w for w in words if not w.startswith("-")}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    installed = runtime_install_list(Path(sys.argv[1]).read_text())
    needed = set(sys.argv[2:]) | HEALTHCHECK_PACKAGES
    problems = [f"the binary needs {p}, which the runtime stage does not name" for p in sorted(needed - installed)]
    problems += [f"the runtime stage installs {p}, which neither the binary nor the HEALTHCHECK uses"
                 for p in sorted(installed - needed)]
    for problem in problems:
        print(f"runtime_packages: {problem}")
    print(f"runtime_packages: {len(installed)} named, {len(needed)} needed, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
