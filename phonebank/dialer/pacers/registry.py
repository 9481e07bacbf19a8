"""Find a pacer by mode name or by dotted path `package.module:ClassName`."""

import importlib

from phonebank.dialer.pacers.base import Pacer
from phonebank.errors import Invalid


def load_pacer(spec: str, **settings: float) -> Pacer:
    """A new pacer for `spec`: `preview`, `power`, `predictive`, or `module.path:Class`."""
    from phonebank.dialer.pacers.power import PowerPacer
    from phonebank.dialer.pacers.predictive import PredictivePacer
    from phonebank.dialer.pacers.preview import PreviewPacer

    builtin: dict[str, type[Pacer]] = {
        "preview": PreviewPacer,
        "power": PowerPacer,
        "predictive": PredictivePacer,
    }
    if spec in builtin:
        return builtin[spec](**settings)
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise Invalid(
            f"pacer {spec!r} is neither a mode nor `package.module:ClassName`", field="pacer"
        )
    try:
        pacer_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise Invalid(f"cannot load pacer {spec!r}: {error}", field="pacer") from None
    if not (isinstance(pacer_class, type) and issubclass(pacer_class, Pacer)):
        raise Invalid(f"{spec!r} is not a Pacer subclass", field="pacer")
    return pacer_class(**settings)
