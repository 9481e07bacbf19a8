"""Hosted dialing: Phonebank dials numbers a customer's system hands it and reports back."""
