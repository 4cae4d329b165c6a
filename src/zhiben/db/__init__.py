"""The database: sqlmodel tables, engine and first use, schema upgrades, backups, driver failures."""
