"""`python -m lib.build --source DIR --out geodata/london.gpkg`: build the GeoPackage."""

import sys

from lib.build.pipeline import main

sys.exit(main())
