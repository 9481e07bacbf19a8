"""One settings object, read from `PHONEBANK_*` environment variables."""

from functools import lru_cache
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as `PHONEBANK_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="PHONEBANK_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./phonebank.db"
    redis_url: str | None = None
    carrier: str = "simulated"
    base_url: str = "http://127.0.0.1:8000"
    log_level: str = "info"
    # Keys the digest a PIN login finds its caller by; the same in every process, set in production.
    secret_key: str = Field(default="dev-secret-change-me", repr=False)
    sql_echo: bool = False
    # Bearer token Prometheus sends to read /metrics; unset: only this machine may read them.
    metrics_token: str | None = Field(default=None, repr=False)
    # Let webhooks and numbers feeds reach loopback and private addresses (receivers inside).
    allow_private_webhooks: bool = False
    # Requests per minute per API key (or browser login); 0 turns the limit off.
    rate_limit_per_minute: int = 1200
    # Run the dialer engines in this process (one process by default).
    run_dialer: bool = True
    # Deliver webhooks (the outbox) from this process.
    run_webhooks: bool = True
    # The simulated carrier's world (fields of SimulatedCarrierConfig, as JSON): who answers,
    # how long phones ring and people talk. Unset: realistic defaults.
    simulated_carrier: dict[str, Any] | None = None
    # The system name of our own OSDI identifiers (`phonebank:<uuid>`).
    osdi_namespace: str = "phonebank"
    # The Twilio carrier (`carrier=twilio`): the account, the number calls come from, answering
    # machine detection, and for browser callers an API key and a TwiML app. Twilio reaches the
    # webhooks at `base_url`, which must be the public URL; `twilio_api_base` points the REST
    # client at a Twilio-compatible endpoint instead of Twilio's own.
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = Field(default=None, repr=False)
    twilio_caller_number: str | None = None
    twilio_machine_detection: str = "DetectMessageEnd"
    twilio_api_base: str | None = None
    twilio_api_key_sid: str | None = None
    twilio_api_key_secret: str | None = Field(default=None, repr=False)
    twilio_twiml_app_sid: str | None = None
    # The calling floor: a caller whose page is gone (no WebSocket, no heartbeat) this long is
    # paused and gets no call; gone this long, the session ends; a wrap-up this long pauses the
    # caller (the result can still be saved). Seconds.
    caller_presence_timeout_seconds: float = Field(default=15.0, gt=0)
    caller_absent_end_seconds: float = Field(default=120.0, gt=0)
    wrap_up_max_seconds: float = Field(default=300.0, gt=0)
    # Edge hardening: the proxies trusted to say a request's scheme and client address
    # (X-Forwarded-Proto, X-Forwarded-For), as uvicorn's `forwarded_allow_ips`: addresses or
    # networks, comma-separated, or `*`. Unset: uvicorn's default (127.0.0.1).
    forwarded_allow_ips: str | None = None
    # Input hardening: pacers campaigns may name, body limits, slow clients, SQLite waits.
    # Pacers beyond the built-in ones, by name (JSON: {"name": "package.module:Class"}); only
    # these names, the built-in ones and the `phonebank.pacers` entry points may be chosen.
    pacers: dict[str, str] = {}
    # The largest request bodies, by kind, refused with 413 before they are read or parsed.
    # An OBI bulk add of 3 MB (10,000 customers in XML) keeps the server under 300 MB; a CSV
    # upload holds the import's 50 MB file and its form fields.
    max_json_body_bytes: int = 4 * 1024 * 1024
    max_upload_body_bytes: int = 51 * 1024 * 1024
    max_obi_bulk_body_bytes: int = 3 * 1024 * 1024
    # Seconds a client has to send a request's headers (and an idle connection stays open).
    header_timeout_seconds: float = 10.0
    # Seconds a write on SQLite waits for another one (an import) instead of failing.
    sqlite_busy_timeout_seconds: float = 120.0
    # Planning a session: plans simulated at once by one process (more are a 429), the wall
    # time a plan may take, and the dials simulated per mode (larger plans are scaled down).
    planning_max_concurrent: int = 2
    planning_time_limit_seconds: float = 10.0
    planning_dials_per_mode: int = 2000

    def twilio_options(self) -> dict[str, Any] | None:
        """The Twilio carrier's options, or None when no account is configured."""
        if not self.twilio_account_sid:
            return None
        return {
            "account_sid": self.twilio_account_sid,
            "auth_token": self.twilio_auth_token,
            "caller_number": self.twilio_caller_number,
            "public_url": self.base_url,
            "machine_detection": self.twilio_machine_detection,
            "api_base": self.twilio_api_base,
            "api_key_sid": self.twilio_api_key_sid,
            "api_key_secret": self.twilio_api_key_secret,
            "twiml_app_sid": self.twilio_twiml_app_sid,
        }

    def carrier_options(self) -> dict[str, Any] | None:
        """The options of the configured carrier."""
        if self.carrier == "twilio":
            return self.twilio_options()
        return self.simulated_carrier


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
