"""The realtime hub: python-socketio, one namespace per audience."""
