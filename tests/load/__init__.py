"""Load test: many RealtimeClients against a fake server in another process (a package, so
that ``python -m tests.load.run_load`` works from the project root)."""
