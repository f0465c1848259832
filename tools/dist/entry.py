"""Entry script of the single-file executable built by `make dist` (PyInstaller --onefile).

PyInstaller freezes this script with the interpreter, the redistill package, its compiled C core
(redistill._core) and cffi's backend; at start the bundle unpacks itself to a private temp dir and
runs main() exactly as `python -m redistill` would.
"""

import sys

from redistill.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
