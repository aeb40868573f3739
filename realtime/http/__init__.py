"""HTTP plumbing: guarded routes, CSRF, limits, headers, error rendering."""
