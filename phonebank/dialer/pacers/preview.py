"""Preview pacing: each free caller sees a contact first, and the dial waits for them."""

from phonebank.dialer.pacers.base import Pacer, PacerState


class PreviewPacer(Pacer):
    """One contact to preview per available caller; never dials ahead of anyone."""

    name = "preview"
    previews = True

    def dials_to_place(self, state: PacerState) -> int:
        """How many available callers need a contact to preview."""
        return max(0, state.callers_available)
