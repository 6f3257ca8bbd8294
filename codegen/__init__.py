"""Code generation: import the upstream spec into schema/, generate types/ from it."""
