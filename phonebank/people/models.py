"""People to call (OSDI person) and their contact details."""

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from phonebank.db import Base, IdMixin, TimestampMixin


class Person(IdMixin, TimestampMixin, Base):
    """A person with OSDI fields; numbers, emails and addresses live in child rows."""

    __tablename__ = "people"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    additional_name: Mapped[str | None] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(40))
    origin_system: Mapped[str | None] = mapped_column(String(200))
    languages_spoken: Mapped[list[Any]] = mapped_column(default=list)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)

    email_addresses: Mapped[list["EmailAddress"]] = relationship(
        cascade="all, delete-orphan", order_by="EmailAddress.position", lazy="selectin"
    )
    phone_numbers: Mapped[list["PhoneNumber"]] = relationship(
        cascade="all, delete-orphan", order_by="PhoneNumber.position", lazy="selectin"
    )
    postal_addresses: Mapped[list["PostalAddress"]] = relationship(
        cascade="all, delete-orphan", order_by="PostalAddress.position", lazy="selectin"
    )
    identifiers: Mapped[list["PersonIdentifier"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class EmailAddress(IdMixin, Base):
    """One email address of a person; `position` 0 is shown first."""

    __tablename__ = "email_addresses"
    __table_args__ = (Index("ix_email_addresses_org_address", "organization_id", "address"),)

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(default=0)
    address: Mapped[str] = mapped_column(String(320))
    primary: Mapped[bool] = mapped_column(default=False)
    address_type: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str | None] = mapped_column(String(40))


class PhoneNumber(IdMixin, Base):
    """One phone number of a person, in E.164, with the time zones it may ring in."""

    __tablename__ = "phone_numbers"
    __table_args__ = (Index("ix_phone_numbers_org_number", "organization_id", "number"),)

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(default=0)
    number: Mapped[str] = mapped_column(String(20))
    primary: Mapped[bool] = mapped_column(default=False)
    number_type: Mapped[str | None] = mapped_column(String(40))
    sms_capable: Mapped[bool | None]
    do_not_call: Mapped[bool] = mapped_column(default=False)
    country: Mapped[str | None] = mapped_column(String(2))
    # IANA zones the number may be in, most likely first (from the number's prefix).
    time_zones: Mapped[list[Any]] = mapped_column(default=list)


class PostalAddress(IdMixin, Base):
    """One postal address of a person (OSDI fields)."""

    __tablename__ = "postal_addresses"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    primary: Mapped[bool] = mapped_column(default=False)
    address_type: Mapped[str | None] = mapped_column(String(40))
    address_lines: Mapped[list[Any]] = mapped_column(default=list)
    locality: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    # OSDI's address status ("Verified", ...), kept as the client wrote it.
    status: Mapped[str | None] = mapped_column(String(40))


class PersonIdentifier(IdMixin, Base):
    """An OSDI identifier (`system:id`), unique within an organization."""

    __tablename__ = "person_identifiers"
    __table_args__ = (UniqueConstraint("organization_id", "identifier"),)

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    identifier: Mapped[str] = mapped_column(String(300))
