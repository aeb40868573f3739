"""Shift patterns, agent contracts and the CP-SAT schedule within labour limits (F-2.3.1)."""
