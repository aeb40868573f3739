"""Sign-in, sessions, CSRF, second factor, roles and permissions."""
