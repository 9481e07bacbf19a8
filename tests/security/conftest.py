"""The faces' clients, for attacks through each of them."""

from tests.obi.conftest import obi  # noqa: F401 (fixture)
from tests.osdi.conftest import osdi  # noqa: F401 (fixture)
