"""Schedule adherence: agents' state events compared with their shifts (F-2.3.2)."""
