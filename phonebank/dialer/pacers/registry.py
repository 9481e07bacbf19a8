"""The pacers a campaign may name: the built-in ones and those the operator registers.

A campaign names its pacer; nothing a tenant sends is ever imported. The operator adds pacers
by the `pacers` setting (name -> `package.module:Class`) or by installing a package with an
entry point in the `phonebank.pacers` group; code running in the process (a benchmark, a test)
may `register_pacer` a class under a name.
"""

import importlib
import re
from collections.abc import Callable
from importlib.metadata import entry_points

from phonebank.config import get_settings
from phonebank.dialer.pacers.base import Pacer
from phonebank.errors import Invalid

ENTRY_POINT_GROUP = "phonebank.pacers"
BUILTIN_NAMES = ("preview", "power", "predictive")
# A name is a word, never a path: letters, digits, `_`, `-` and `.`.
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,99}")

_registered: dict[str, Callable[[], type[Pacer]]] = {}


def register_pacer(name: str, pacer_class: type[Pacer]) -> None:
    """Make `pacer_class` available to campaigns under `name` in this process."""
    if not NAME.fullmatch(name):
        raise ValueError(f"a pacer name is a word of letters, digits, _ - or . ({name!r})")
    _registered[name] = lambda: pacer_class


def register_path(path: str) -> str:
    """Register the operator's `package.module:Class` (imported now); returns its name.

    For the operator's own tools (`phonebank simulate --pacer`), never for a tenant's input.
    """
    pacer_class = _from_path(path)()
    name = path.replace(":", ".")
    register_pacer(name, pacer_class)
    return name


def _builtin() -> dict[str, Callable[[], type[Pacer]]]:
    from phonebank.dialer.pacers.power import PowerPacer
    from phonebank.dialer.pacers.predictive import PredictivePacer
    from phonebank.dialer.pacers.preview import PreviewPacer

    return {
        "preview": lambda: PreviewPacer,
        "power": lambda: PowerPacer,
        "predictive": lambda: PredictivePacer,
    }


def _from_path(path: str) -> Callable[[], type[Pacer]]:
    """A loader for an operator's `package.module:Class` (imported only when a dialer runs)."""

    def load() -> type[Pacer]:
        module_name, _, class_name = path.partition(":")
        found = getattr(importlib.import_module(module_name), class_name)
        if not (isinstance(found, type) and issubclass(found, Pacer)):
            raise TypeError(f"{path} is not a Pacer subclass")
        return found

    return load


def _loaders() -> dict[str, Callable[[], type[Pacer]]]:
    """Every name a campaign may use, each with how to get its class."""
    loaders: dict[str, Callable[[], type[Pacer]]] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        loaders[entry.name] = entry.load
    for name, path in get_settings().pacers.items():
        loaders[name] = _from_path(path)
    loaders.update(_registered)
    loaders.update(_builtin())  # the built-in names always mean the built-in pacers
    return loaders


def pacer_names() -> list[str]:
    """The names a campaign may choose, sorted."""
    return sorted(_loaders())


def check_pacer_name(name: str) -> None:
    """Invalid (400, field `pacer`) unless `name` is in the registry."""
    if name not in _loaders():
        raise Invalid(
            f"unknown pacer {name[:100]!r}; choose one of: {', '.join(pacer_names())}",
            field="pacer",
        )


def load_pacer(name: str, **settings: float) -> Pacer:
    """A new pacer registered as `name` (a mode's name is its built-in pacer)."""
    loader = _loaders().get(name)
    if loader is None:
        raise Invalid(f"unknown pacer {name[:100]!r}", field="pacer")
    return loader()(**settings)
