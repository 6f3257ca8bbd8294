"""The parts ``RealtimeClient`` is a facade over, one job per module (private)."""
