"""Telephony providers' webhooks: Twilio's callbacks, TwiML, dial-in and Voice SDK tokens."""
