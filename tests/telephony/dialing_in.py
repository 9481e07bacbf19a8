"""A phones-only caller's telephone, as Twilio would carry it: signed posts of keyed digits."""

import xml.etree.ElementTree as ET

from tests.calling.conftest import Desk
from tests.telephony.loopback import ACCOUNT_SID, AUTH_TOKEN
from tests.telephony.standin import twilio_signature

PUBLIC_URL = "https://phonebank.example.org"
CODE_DIGITS = "22672446"  # CAMPAIGN on a telephone keypad


async def twilio_posts(desk: Desk, url: str, **params: str) -> ET.Element:
    """POST to one of our absolute webhook URLs as Twilio would; the TwiML answered."""
    assert url.startswith(PUBLIC_URL), url
    form = {"AccountSid": ACCOUNT_SID, "CallSid": "CAphone", "From": "+14155550199", **params}
    headers = {"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, url, form)}
    response = await desk.client.post(url.removeprefix(PUBLIC_URL), data=form, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return ET.fromstring(response.text)


def gather_action(twiml: ET.Element) -> tuple[str, str]:
    """The menu's action URL and what it says."""
    gather = twiml.find("Gather")
    assert gather is not None, ET.tostring(twiml)
    said = gather.find("Say")
    assert said is not None and said.text is not None
    return gather.attrib["action"], said.text


def conference_of(twiml: ET.Element) -> tuple[str, str]:
    """The room the caller is put in, and the URL `*` leads to."""
    dial = twiml.find("Dial")
    assert dial is not None, ET.tostring(twiml)
    assert dial.attrib["hangupOnStar"] == "true"
    room = dial.find("Conference")
    assert room is not None and room.text is not None
    return room.text, dial.attrib["action"]


async def log_in(desk: Desk, pin: str = "1357") -> ET.Element:
    """Dial in and key the code and the PIN."""
    action, said = gather_action(await twilio_posts(desk, f"{PUBLIC_URL}/telephony/twilio/dial-in"))
    assert "campaign code" in said
    action, said = gather_action(await twilio_posts(desk, action, Digits=CODE_DIGITS))
    assert "PIN" in said and action.endswith(f"?code={CODE_DIGITS}")
    return await twilio_posts(desk, action, Digits=pin)
