"""Sans-I/O core: pure protocol logic with no network or event-loop dependencies."""
