"""Live KPIs for the wallboard (F-2.4.3): today and this half hour, any date on demand."""
