"""The data build: raw inputs -> geodata/london.gpkg (`python -m lib.build`)."""
