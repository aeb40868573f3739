"""A day in simulation: a discrete-event run through the real ACD engine on a simulated clock.

WFM uses it to check a staffing plan (F-2.3.3): service level, abandonment and occupancy per
half hour. Entry point: :func:`switch.simulation.run.simulate_day`.
"""
