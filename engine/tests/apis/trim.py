#!/usr/bin/env python3
"""Trims the vendors' official OpenAPI specs to what Switchboard's pieces use.

Re-run from anywhere (Python 3 standard library only; the output is deterministic):

    python3 engine/tests/apis/trim.py [SPEC_DIR]

SPEC_DIR holds the official spec files, unchanged, under the names listed in VENDORS below
(default: $SWITCHBOARD_API_SPECS, else /work/shared/reference/apis). For every vendor the script
writes engine/tests/apis/<vendor>.json: the operations matched by the example requests of the
vendor's pieces (engine/pieces/<piece>.json) and by their connection tests (auth.test), with
their path-level parameters, every component they reference (the $ref closure), the servers (or
Swagger 2.0 host/basePath), and `x-source` (where each file came from). Only the request side is
kept whole: responses keep their status and description, and example payloads are dropped.
engine/tests/piece_conformance.rs checks the pieces' examples against these files.
"""

import hashlib
import json
import os
import re
import sys
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
PIECES = HERE.parent.parent / "pieces"
DEFAULT_SPEC_DIR = "/work/shared/reference/apis"

HUBSPOT = "HubSpot/HubSpot-public-api-spec-collection"

# vendor -> pieces checked against it, the official files (copied name, repository, path in it),
# and path prefixes accepted besides the spec's own server path (see piece_conformance.rs).
VENDORS = {
    "slack": {
        "pieces": ["slack"],
        "sources": [
            ("slack-web-openapi-v2.json", "slackapi/slack-api-specs",
             "web-api/slack_web_openapi_v2.json"),
        ],
    },
    "hubspot": {
        "pieces": ["hubspot"],
        "sources": [
            ("hubspot-crm-contacts-v3.json", HUBSPOT,
             "PublicApiSpecs/CRM/Contacts/Rollouts/424/v3/contacts.json"),
            ("hubspot-crm-deals-v3.json", HUBSPOT,
             "PublicApiSpecs/CRM/Deals/Rollouts/424/v3/deals.json"),
            ("hubspot-crm-tasks-v3.json", HUBSPOT,
             "PublicApiSpecs/CRM/Tasks/Rollouts/424/v3/tasks.json"),
            ("hubspot-crm-notes-v3.json", HUBSPOT,
             "PublicApiSpecs/CRM/Notes/Rollouts/424/v3/notes.json"),
            ("hubspot-crm-companies-v3.json", HUBSPOT,
             "PublicApiSpecs/CRM/Companies/Rollouts/424/v3/companies.json"),
        ],
    },
    "twilio": {
        "pieces": ["twilio"],
        "sources": [
            ("twilio-api-v2010.json", "twilio/twilio-oai", "spec/json/twilio_api_v2010.json"),
        ],
    },
    "sendgrid": {
        "pieces": ["sendgrid"],
        "sources": [
            ("sendgrid-mail-v3.json", "twilio/sendgrid-oai", "spec/json/tsg_mail_v3.json"),
        ],
    },
    "resend": {
        "pieces": ["resend"],
        "sources": [("resend-openapi.json", "resend/resend-openapi", "resend.json")],
    },
    "discord": {
        "pieces": ["discord"],
        "sources": [("discord-openapi.json", "discord/discord-api-spec", "specs/openapi.json")],
        # Webhook URLs as Discord hands them out carry no API version: /api/webhooks/...
        "extra_prefixes": ["/api"],
    },
}

METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
AUTH = re.compile(r"\{\{\s*auth\.([A-Za-z0-9_]+)\s*\}\}")


def render(text, auth, segment):
    """Fills `{{auth.<field>}}` from a piece's example connection (a path segment: encoded)."""

    def value(m):
        v = auth.get(m.group(1), "")
        v = v if isinstance(v, str) else json.dumps(v)
        return urllib.parse.quote(v, safe="") if segment else v

    return AUTH.sub(value, text)


def base_path(url):
    return urllib.parse.urlsplit(url).path.rstrip("/")


def piece_requests(piece_id):
    """(method, full path as sent) of every example request and of the connection test."""
    spec = json.loads((PIECES / f"{piece_id}.json").read_text(encoding="utf-8"))
    out = []
    for action in spec["actions"]:
        req = action.get("request") or {}
        if req.get("url"):
            prefix = ""
        elif req.get("base"):
            prefix = base_path(spec["bases"][req["base"]])
        else:
            prefix = base_path(spec["base_url"])
        for example in action["examples"]:
            out.append((example["request"]["method"].upper(), prefix + example["request"]["path"]))
    auth = spec.get("auth", {})
    test = auth.get("test")
    if test:
        example = auth.get("example", {})
        if test.get("url"):
            path = urllib.parse.urlsplit(render(test["url"], example, False)).path
        else:
            path = base_path(spec["base_url"]) + render(test.get("path", ""), example, True)
        out.append((test["method"].upper(), path))
    return out


def server_path(doc):
    if "swagger" in doc:
        return doc.get("basePath", "").rstrip("/")
    servers = doc.get("servers") or [{"url": "/"}]
    return base_path(servers[0]["url"])


def template_regex(path):
    parts = re.split(r"(\{[^}/]+\})", path)
    return re.compile(
        "^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$"
    )


def match(doc, method, rel):
    """The spec path for `rel`: with the method first, then the most literal one."""
    found = [p for p in doc["paths"] if template_regex(p).match(rel)]
    found.sort(key=lambda p: (method.lower() not in doc["paths"][p], p.count("{"), p))
    return found[0] if found else None


def resolve(doc, ref):
    if not ref.startswith("#/"):
        raise SystemExit(f"external $ref not supported: {ref}")
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def strip(node, in_properties=False):
    """Drops example payloads (`examples`, empty `example`), keeping schema properties so named."""
    if isinstance(node, list):
        return [strip(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if not in_properties and (k == "examples" or (k == "example" and v is None)):
            continue
        out[k] = strip(v, in_properties=(k == "properties" and not in_properties))
    return out


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def slim_responses(doc, responses):
    """Status codes and descriptions only: the conformance test checks requests."""
    out = {}
    for status, response in responses.items():
        while "$ref" in response:
            response = resolve(doc, response["$ref"])
        out[status] = {"description": response.get("description", "")}
    return out


def keep_operation(doc, op):
    kept = {k: v for k, v in op.items() if k != "responses"}
    kept["responses"] = slim_responses(doc, op.get("responses") or {})
    return strip(kept)


def merge_scopes(old, new, ref):
    """One security scheme from several files: the same but for its OAuth2 scope lists."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for k, v in new.items():
            out[k] = merge_scopes(old[k], v, ref) if k in old else v
        return out
    if old != new:
        raise SystemExit(f"{ref} differs between the merged files")
    return old


def put(target, ref, value):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/")]
    node = target
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    old = node.get(parts[-1])
    if old is not None and old != value:
        if "/securitySchemes/" not in ref and "/securityDefinitions/" not in ref:
            raise SystemExit(f"{ref} differs between the merged files")
        value = merge_scopes(old, value, ref)
    node[parts[-1]] = value


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def trim(config, spec_dir):
    wanted = []
    for piece in config["pieces"]:
        wanted.extend(piece_requests(piece))
    out = None
    sources = []
    matched = set()
    for copied, repository, upstream in config["sources"]:
        file = spec_dir / copied
        doc = json.loads(file.read_text(encoding="utf-8"))
        swagger = "swagger" in doc
        prefixes = [server_path(doc)] + config.get("extra_prefixes", [])
        if out is None:
            if swagger:
                keys = ["swagger", "host", "basePath", "schemes", "consumes", "produces"]
            else:
                keys = ["openapi", "servers"]
            out = {k: doc[k] for k in keys if k in doc}
            out["info"] = {"title": doc["info"]["title"], "version": doc["info"]["version"]}
            if "security" in doc:
                out["security"] = doc["security"]
            out["paths"] = {}
        kept = []
        for method, full in wanted:
            for prefix in prefixes:
                if not full.startswith(prefix + "/"):
                    continue
                path = match(doc, method, full[len(prefix):])
                if path is None:
                    continue
                matched.add((method, full))
                item = doc["paths"][path]
                ops = [m for m in METHODS if m in item]
                # A method the spec lacks keeps the path's own, so the test can name them.
                used = [method.lower()] if method.lower() in ops else ops
                target = out["paths"].setdefault(path, {})
                for k, v in item.items():
                    if k not in METHODS and not k.startswith("x-"):
                        target[k] = strip(v)
                for m in used:
                    target[m] = keep_operation(doc, item[m])
                if path not in kept:
                    kept.append(path)
                break
        # The $ref closure of what was kept from this file, security schemes included.
        mine = {p: out["paths"][p] for p in kept}
        pending = list(refs(mine))
        requirements = list(doc.get("security", [])) if kept else []
        for p in kept:
            for op in mine[p].values():
                if isinstance(op, dict):
                    requirements.extend(op.get("security", []))
        schemes = "#/securityDefinitions/" if swagger else "#/components/securitySchemes/"
        pending.extend(schemes + name for requirement in requirements for name in requirement)
        seen = set()
        while pending:
            ref = pending.pop()
            if ref in seen:
                continue
            seen.add(ref)
            value = strip(resolve(doc, ref))
            put(out, ref, value)
            pending.extend(refs(value))
        sources.append(
            {
                "repository": repository,
                "path": upstream,
                "version": doc["info"]["version"],
                "copied_as": copied,
                "sha256": sha256(file),
                "paths_kept": sorted(kept),
            }
        )
    out["x-source"] = sources
    out["x-trimmed"] = (
        "Generated by engine/tests/apis/trim.py from the official files above, for the pieces "
        + ", ".join(config["pieces"])
        + ": only the operations their example requests and connection tests use, with every "
        "component they reference. Responses keep status and description only; example "
        "payloads (`examples`, empty `example`) and path-level vendor extensions are dropped; "
        "security schemes merged from several files list every file's scopes. Do not edit: "
        "re-run the script."
    )
    missing = sorted(set(wanted) - matched)
    return out, missing


def main():
    spec_dir = Path(
        sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SWITCHBOARD_API_SPECS",
                                                             DEFAULT_SPEC_DIR)
    )
    for vendor, config in sorted(VENDORS.items()):
        doc, missing = trim(config, spec_dir)
        target = HERE / f"{vendor}.json"
        text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        target.write_text(text, encoding="utf-8")
        print(f"{target.relative_to(HERE.parent.parent.parent)}: {len(doc['paths'])} paths, "
              f"{len(text.encode())} bytes")
        for method, path in missing:
            print(f"  no path of the copied spec(s) matches: {method} {path}")


if __name__ == "__main__":
    main()
