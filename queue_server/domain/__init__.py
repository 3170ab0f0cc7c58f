"""Pure queue rules: no framework, database or I/O imports live here."""
