"""The Sinch-compatible Outbound Campaign Interface (OBI), served at `/obi`."""
