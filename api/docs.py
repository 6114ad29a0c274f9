"""The API documentation as a plain, server-rendered page, read from the OpenAPI schema.

Swagger UI had 22 axe violations (contrast, buttons inside links); its markup is not ours to fix.
This page shows the same schema (every path, parameter, response and object) as headings, lists
and tables in the portal's layout, with no script: accessible, and always in step with the API
since both come from drf-spectacular's generator.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from drf_spectacular.generators import SchemaGenerator

METHODS = ["get", "post", "put", "patch", "delete"]
FORMATS = {
    "date-time": "date et heure ISO 8601",
    "date": "date ISO 8601 (AAAA-MM-JJ)",
    "decimal": "nombre décimal écrit en chaîne (« 1234.50 »)",
    "uri": "adresse (URL)",
    "uuid": "identifiant UUID",
    "email": "adresse e-mail",
}
TYPES = {
    "string": "texte",
    "integer": "entier",
    "number": "nombre",
    "boolean": "booléen (true ou false)",
    "object": "objet",
}
LOCATIONS = {"query": "requête", "path": "chemin", "header": "en-tête", "cookie": "cookie"}


def rich_text(text: str) -> SafeString:
    """Schema descriptions (a little Markdown): `code` and line breaks, everything escaped."""
    html = escape(text or "")
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
    html = re.sub(r"^\* ", "• ", html, flags=re.M)
    return mark_safe(html.strip().replace("\n\n", "<br>").replace("\n", "<br>"))


def schema_anchor(name: str) -> str:
    return f"objet-{name}"


def describe(schema: dict) -> SafeString:
    """A schema's type in French, with a link to the object it refers to."""
    if not schema:
        return mark_safe("—")
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return format_html('<a href="#{}">{}</a>', schema_anchor(name), name)
    if "allOf" in schema and len(schema["allOf"]) == 1:
        inner = describe(schema["allOf"][0])
        return format_html("{}{}", inner, ", peut être nul" if schema.get("nullable") else "")
    kind = schema.get("type", "")
    if kind == "array":
        text = format_html("liste de {}", describe(schema.get("items", {})))
    elif schema.get("format") in FORMATS:
        text = format_html("{}", FORMATS[schema["format"]])
    else:
        text = format_html("{}", TYPES.get(kind, kind or "valeur"))
    if schema.get("enum"):
        values = format_html(
            ", ".join("<code>{}</code>" for _ in schema["enum"]), *map(str, schema["enum"])
        )
        text = format_html("{} parmi {}", text, values)
    if schema.get("maxLength"):
        text = format_html("{}, {} caractères au plus", text, schema["maxLength"])
    if schema.get("nullable"):
        text = format_html("{}, peut être nul", text)
    return text


@dataclass
class Parameter:
    name: str
    location: str
    required: bool
    type: SafeString
    description: SafeString


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: SafeString
    parameters: list[Parameter]
    body: SafeString | None
    responses: list[tuple[str, str, SafeString]]


@dataclass
class Group:
    name: str
    anchor: str
    operations: list[Operation] = field(default_factory=list)


@dataclass
class Property:
    name: str
    title: str
    type: SafeString
    required: bool
    read_only: bool
    description: SafeString


@dataclass
class SchemaObject:
    name: str
    anchor: str
    description: SafeString
    properties: list[Property]
    enum: list[str]


def _operations(schema: dict) -> list[Group]:
    groups: dict[str, Group] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["autres"])[0]
            group = groups.setdefault(tag, Group(name=tag, anchor=f"groupe-{len(groups) + 1}"))
            body = None
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = describe(content["application/json"].get("schema", {}))
            responses = []
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {})
                responses.append(
                    (
                        status,
                        response.get("description", ""),
                        describe(content.get("schema", {})) if content else mark_safe("—"),
                    )
                )
            group.operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=operation.get("operationId", f"{method}-{path}"),
                    summary=operation.get("summary", ""),
                    description=rich_text(operation.get("description", "")),
                    parameters=[
                        Parameter(
                            name=p["name"],
                            location=LOCATIONS.get(p.get("in", ""), p.get("in", "")),
                            required=bool(p.get("required")),
                            type=describe(p.get("schema", {})),
                            description=rich_text(p.get("description", "")),
                        )
                        for p in operation.get("parameters", [])
                    ],
                    body=body,
                    responses=responses,
                )
            )
    return list(groups.values())


def _objects(schema: dict) -> list[SchemaObject]:
    objects = []
    for name, item in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(item.get("required", []))
        objects.append(
            SchemaObject(
                name=name,
                anchor=schema_anchor(name),
                description=rich_text(item.get("description", "")),
                properties=[
                    Property(
                        name=prop_name,
                        title=prop.get("title", ""),
                        type=describe(prop),
                        required=prop_name in required,
                        read_only=bool(prop.get("readOnly")),
                        description=rich_text(prop.get("description", "")),
                    )
                    for prop_name, prop in item.get("properties", {}).items()
                ],
                enum=[str(v) for v in item.get("enum", [])],
            )
        )
    return objects


@lru_cache(maxsize=1)
def docs_context() -> dict:
    """Built once per process: the schema follows the code, which does not change while it runs."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    info = schema.get("info", {})
    return {
        "title": info.get("title", "API"),
        "version": info.get("version", ""),
        "description": rich_text(info.get("description", "")),
        "groups": _operations(schema),
        "objects": _objects(schema),
    }
