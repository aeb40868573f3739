"""What-if: change volume, handling time, staffing or patience; Erlang and simulation (F-2.3.3)."""
