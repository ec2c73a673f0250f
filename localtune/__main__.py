import sys

from localtune.interfaces.cli import main

sys.exit(main())
