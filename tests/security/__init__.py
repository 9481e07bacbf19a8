"""Hardening: no tenant or client input takes the service down or runs code in it."""
