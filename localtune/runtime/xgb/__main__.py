"""``python -m localtune.runtime.xgb train``: the built-in XGBoost container program."""

from __future__ import annotations

import sys

from localtune.runtime.xgb.program import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
