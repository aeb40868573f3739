"""Daily call-volume forecast (F-2.3.1): level x day-type factors x known events."""
