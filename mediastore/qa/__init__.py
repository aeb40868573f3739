"""Quality evaluation of recorded calls: forms, evaluations, averages per agent (F-2.2.2)."""
