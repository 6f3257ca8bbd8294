"""Typed Python client for the OpenAI Realtime API."""
