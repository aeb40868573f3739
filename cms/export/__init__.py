"""CSV export and import of every table (N-DATA-1), with a generated layout document."""
