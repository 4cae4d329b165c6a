"""The enterprise register: credit codes, sectors, import and edits, queries, parks, county contacts."""
