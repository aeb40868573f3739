"""The ASGI application: HTTP API, Socket.IO hub, sign-in, permissions, audit log, settings."""
