"""`python -m lib.build --source DIR --out geodata/london.gpkg` (the Makefile's `make data`)."""

import sys

from lib.build.pipeline import main

sys.exit(main())
