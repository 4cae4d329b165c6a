"""Reading users' files: bytes with clear errors, CSV/XLSX sheets with encoding detection."""
