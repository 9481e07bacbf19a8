"""Request examples for the OpenAPI document, made from each body's own schema.

Every operation that takes a JSON body shows one: its required fields (and those with a
default or a declared example) filled with values of the right type and format, so a client
reading the document sees a body the server's validation accepts.
"""

from typing import Any

# Values for strings by format, and by field name where the name says what is expected.
FORMATS = {
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "date-time": "2026-12-07T18:00:00Z",
    "date": "2026-12-07",
    "email": "ada@example.org",
    "uri": "https://example.org/phonebank",
}
NAMED = {
    "number": "+12125550101",
    "phone_number": "+12125550101",
    "caller_id": "+12125550100",
    "from": "+12125550100",
    "email": "ada@example.org",
    "password": "correct-horse-battery",
    "url": "https://example.org/phonebank",
    "call_state_url": "https://example.org/phonebank/call_state",
    "time_zone": "America/New_York",
    "name": "Example",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
}
MAX_DEPTH = 8


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        resolved: dict[str, Any] = components.get(ref.rsplit("/", 1)[1], {})
        return resolved
    return schema


def example_of(
    schema: dict[str, Any], components: dict[str, Any], *, name: str = "", depth: int = 0
) -> Any:
    """A value that fits `schema` (None where nothing sensible can be made)."""
    schema = _resolve(schema, components)
    if depth > MAX_DEPTH:
        return None
    for key in ("example", "default", "const"):
        if key in schema and schema[key] is not None:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [s for s in schema.get(key, []) if _resolve(s, components).get("type") != "null"]
        if options:
            return example_of(options[0], components, name=name, depth=depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        return {
            key: example_of(value, components, name=key, depth=depth + 1)
            for key, value in properties.items()
            if key in required
        }
    if kind == "array":
        item = example_of(schema.get("items", {}), components, name=name, depth=depth + 1)
        return [item] if item is not None else []
    if kind == "string":
        return _string(schema, name)
    if kind == "integer":
        return int(schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1))
    if kind == "number":
        return float(schema.get("minimum", 1.0))
    if kind == "boolean":
        return False
    return None


def _by_name(name: str) -> str | None:
    if name in NAMED:
        return NAMED[name]
    if name.endswith("url"):
        return NAMED["url"]
    if "phone" in name or name.endswith(("number", "numbers")):
        return NAMED["number"]
    return NAMED["email"] if "email" in name else None


def _string(schema: dict[str, Any], name: str) -> str:
    value = FORMATS.get(schema.get("format", "")) or _by_name(name) or name or "text"
    low, high = schema.get("minLength", 0), schema.get("maxLength", 1000)
    value = value.ljust(low, "x")[:high]
    return value


def add_request_examples(document: dict[str, Any]) -> None:
    """Give every JSON request body of the document an example, unless it declares one."""
    components = document.get("components", {}).get("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json")
            if body is None or "example" in body or "examples" in body:
                continue
            body["example"] = example_of(body.get("schema", {}), components)
