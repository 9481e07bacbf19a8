"""Planning a session: the simulator played on a campaign's own observed rates."""
