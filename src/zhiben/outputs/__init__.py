"""Rows → what people read: terminal tables, CSV/XLSX/ICS/JSON files, the HTML meeting report, status sheets."""
