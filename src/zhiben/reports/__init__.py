"""Queries → rows: overdue, upcoming, progress; the JSON/column contract of report records."""
