"""The demo organization of `phonebank serve --demo`: ready to call in one command."""

import random
from dataclasses import dataclass

from rich.console import Console
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.models import ServiceAccount
from phonebank.auth.scopes import Scope
from phonebank.auth.service import create_service_account, issue_key
from phonebank.callers.schemas import CallerCreate, CallerGroupCreate
from phonebank.callers.service import create_caller, create_caller_group
from phonebank.calls.filling import fill_campaign
from phonebank.campaigns.models import Campaign
from phonebank.campaigns.schemas import CampaignCreate
from phonebank.campaigns.service import create_campaign, set_status
from phonebank.lists.schemas import ListCreate
from phonebank.lists.service import add_people, create_list
from phonebank.organizations.models import Organization
from phonebank.organizations.service import create_organization
from phonebank.people.schemas import PersonCreate
from phonebank.people.service import create_person
from phonebank.scripts.schemas import ScriptCreate
from phonebank.scripts.service import create_script

DEMO_ORGANIZATION = "Phonebank Demo"
DEMO_PEOPLE = 200
DEMO_CALLER_EMAIL = "caller@demo.phonebank.org"
DEMO_CALLER_PASSWORD = "call-them-all"
DEMO_CALLER_PIN = "1234"
DEMO_ORGANIZER_EMAIL = "organizer@demo.phonebank.org"
DEMO_ORGANIZER_PASSWORD = "run-the-campaign"
# The simulated world of `serve --demo`: half the people answer, and they talk for a minute.
DEMO_SIMULATED_CARRIER = {
    "human_share": 0.5,
    "machine_share": 0.15,
    "busy_share": 0.05,
    "no_answer_share": 0.25,
    "failed_share": 0.05,
    "human_ring_mean_seconds": 5.0,
    "talk_mean_seconds": 60.0,
}
# Numbers across time zones, so calling hours differ per contact: US area codes from New York
# to Hawaii, and Guam, London and Sydney, so that at any hour of the day some demo people are
# inside their calling hours. All are ranges set aside for fiction (555-01xx in North America,
# 020 7946 0xxx in the UK, 02 5550 xxxx in Australia). `{n}` is a two-digit serial.
NUMBER_TEMPLATES = (
    *(f"+1{area}55501{{n}}" for area in ("212", "617", "305", "312", "713", "303", "602")),
    *(f"+1{area}55501{{n}}" for area in ("415", "206", "907", "808", "671")),
    "+4420794601{n}",
    "+612555001{n}",
)
GIVEN_NAMES = ("Ada", "Ben", "Carmen", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jon")
FAMILY_NAMES = ("Nguyen", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Tanaka", "Umar", "Vega")

DEMO_SCRIPT = {
    "name": "Demo: volunteer recruitment",
    "selected_fields": ["given_name", "family_name", "phone_number", "custom_fields.ward"],
    "texts": [
        {
            "title": "Introduction",
            "content": "Hi {given_name}, this is a volunteer with Phonebank Demo. "
            "We are calling neighbours about the library reopening.",
        }
    ],
    "questions": [
        {
            "name": "support",
            "title": "Will you support the library reopening?",
            "question_type": "SingleChoice",
            "responses": [
                {"key": "yes", "name": "Yes"},
                {"key": "maybe", "name": "Maybe"},
                {"key": "no", "name": "No"},
            ],
        },
        {
            "name": "help",
            "title": "How would you like to help?",
            "question_type": "MultiChoice",
            "responses": [
                {"key": "volunteer", "name": "Volunteer"},
                {"key": "donate", "name": "Donate"},
                {"key": "share", "name": "Tell friends"},
            ],
        },
        {"name": "comments", "title": "Anything else?", "question_type": "Paragraph"},
    ],
    "note_fields": [{"name": "Best time to call back"}],
    "transfers": [
        {"label": "Volunteer coordinator", "phone_number": "+12025550150", "transfer_type": "warm"}
    ],
}


@dataclass(frozen=True)
class DemoLogin:
    """What the banner prints: the fresh admin key and the caller login."""

    organization_id: str
    api_key: str
    caller_email: str
    caller_password: str
    caller_pin: str
    access_code: str
    created: bool


def _demo_person(index: int, rng: random.Random) -> PersonCreate:
    number = NUMBER_TEMPLATES[index % len(NUMBER_TEMPLATES)].format(n=f"{index % 100:02d}")
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    return PersonCreate.model_validate(
        {
            "given_name": given,
            "family_name": family,
            "email_addresses": [{"address": f"{given}.{family}.{index}@demo.phonebank.org"}],
            "phone_numbers": [{"number": number}],
            "custom_fields": {"ward": str(1 + index % 9)},
            "identifiers": [f"demo:{index}"],
        }
    )


async def _seed(session: AsyncSession, organization: Organization) -> None:
    script = await create_script(
        session, organization=organization, data=ScriptCreate.model_validate(DEMO_SCRIPT)
    )
    target = await create_list(
        session,
        organization_id=organization.id,
        data=ListCreate(name="Demo targets", description="The 200 demo people."),
    )
    rng = random.Random(2026)
    people = [
        await create_person(session, organization=organization, data=_demo_person(i, rng))
        for i in range(DEMO_PEOPLE)
    ]
    await add_people(session, person_list=target, person_ids=[person.id for person in people])
    group = await create_caller_group(
        session, organization_id=organization.id, data=CallerGroupCreate(name="Demo callers")
    )
    await create_caller(
        session,
        organization=organization,
        data=CallerCreate.model_validate(
            {
                "name": "Demo Caller",
                "email": DEMO_CALLER_EMAIL,
                "password": DEMO_CALLER_PASSWORD,
                "pin": DEMO_CALLER_PIN,
                "caller_group_id": group.id,
            }
        ),
    )
    await create_caller(
        session,
        organization=organization,
        data=CallerCreate.model_validate(
            {
                "name": "Demo Organizer",
                "email": DEMO_ORGANIZER_EMAIL,
                "password": DEMO_ORGANIZER_PASSWORD,
                "is_organizer": True,
            }
        ),
    )
    campaign = await create_campaign(
        session,
        organization=organization,
        data=CampaignCreate.model_validate(
            {
                "name": "Demo campaign",
                "title": "Library reopening",
                "description": "Call the demo targets about the library reopening.",
                "dialing_mode": "power",
                "caller_id": "+12025550100",
                "script_id": script.id,
                "target_list_id": target.id,
                "caller_group_id": group.id,
                "daily_start_hour": 9,
                "daily_stop_hour": 21,
            }
        ),
    )
    await fill_campaign(session, campaign=campaign, list_id=target.id)
    await set_status(session, campaign=campaign, status="started")


async def seed_demo(session: AsyncSession) -> DemoLogin:
    """Create the demo organization once; on every start issue a fresh admin key."""
    organization = await session.scalar(
        select(Organization).where(Organization.name == DEMO_ORGANIZATION)
    )
    created = organization is None
    if organization is None:
        organization = await create_organization(session, name=DEMO_ORGANIZATION)
        account = await create_service_account(
            session, organization_id=organization.id, name="demo admin", scopes=[Scope.ADMIN]
        )
        await _seed(session, organization)
    else:
        account = await session.scalar(
            select(ServiceAccount).where(
                ServiceAccount.organization_id == organization.id,
                ServiceAccount.name == "demo admin",
            )
        ) or await create_service_account(
            session, organization_id=organization.id, name="demo admin", scopes=[Scope.ADMIN]
        )
    issued = await issue_key(session, service_account=account)
    campaign = await session.scalar(
        select(Campaign).where(
            Campaign.organization_id == organization.id, Campaign.name == "Demo campaign"
        )
    )
    return DemoLogin(
        organization_id=str(organization.id),
        api_key=issued.token,
        caller_email=DEMO_CALLER_EMAIL,
        caller_password=DEMO_CALLER_PASSWORD,
        caller_pin=DEMO_CALLER_PIN,
        access_code=(campaign.access_code or "") if campaign is not None else "",
        created=created,
    )


def print_demo_banner(login: DemoLogin, *, base_url: str) -> None:
    """Tell the person who ran `make run` what to open and with which credentials."""
    state = "created" if login.created else "already present"
    lines = [
        "[bold green]Phonebank is ready[/bold green]",
        f"Demo organization {state}: {login.organization_id}",
        f"Admin API key (new at every start): [bold]{login.api_key}[/bold]",
        f"  curl -H 'Authorization: Bearer {login.api_key}' {base_url}/api/v1/campaigns",
        f"Call:       {base_url}/call  as {login.caller_email} / {login.caller_password}"
        f"  (or access code {login.access_code} with PIN {login.caller_pin})",
        f"Dashboard:  {base_url}/admin  as {DEMO_ORGANIZER_EMAIL} / {DEMO_ORGANIZER_PASSWORD}",
        f"API index:  {base_url}/api/v1",
        f"API docs:   {base_url}/docs",
        f"Health:     {base_url}/healthz",
    ]
    # soft_wrap: keys and URLs must stay on one line to be copied.
    Console().print("\n".join(lines), soft_wrap=True)
