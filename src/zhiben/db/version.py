"""The schema version this release reads and writes (bumped with a step in db/migrations.py).

Its own module so the lean read path can compare it without importing the table models.
"""

SCHEMA_VERSION = 5
