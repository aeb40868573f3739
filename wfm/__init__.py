"""Workforce management (spec F-2.3): forecasts, Erlang staffing, shifts, adherence."""
