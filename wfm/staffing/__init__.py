"""Staffing per interval: Erlang B/C/A queue maths, agent requirements, patience (F-2.3.1)."""
