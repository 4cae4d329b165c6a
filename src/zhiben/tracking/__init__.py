"""Writes to the record: catalogue load, completions and reopenings, events, targets, status imports, audit log."""
