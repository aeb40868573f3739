"""The 24-hour clock: near-due and overdue counts of every item the center must answer."""
