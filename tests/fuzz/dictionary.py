"""Writes a schemathesis config whose dictionaries hold identifiers that exist in the running hub.

Random strings almost never name a province, an agency or a citizen, so without these the fuzzer stays in the
argument parsers and never reaches the store, the approval workflow or the federation (where the access log writes).
Each String/ID argument or input field whose name says what it holds is bound to a dictionary with probability 0.5:
half the cases still get random strings (NUL bytes and all).

Usage: python3 dictionary.py HUB_GRAPHQL_URL TOKEN MOCK_URL OUT.toml
"""

import json
import sys
import urllib.request

PROBABILITY = 0.5

CATALOG = """{
  provinces { code id }
  agencies(first: 100) { nodes { key code id } }
  informationSystems(first: 100) { nodes { code id } }
  projects(first: 100) { nodes { key id } }
  nationalDatabases(first: 50) { nodes { key id } }
  plans(first: 50) { nodes { key id } }
  indicators(first: 20) { nodes { id } }
  upstreams { name }
}"""


def _post(url, token, query):
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": query}).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _samples(mock_url):
    request = urllib.request.Request(f"{mock_url}/admin/samples", headers={"x-admin-key": "dev-admin-key"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except OSError:
        return {}


def _values(rows, key):
    return sorted({row[key] for row in rows if row.get(key)})


def dictionaries(data, samples):
    agencies = data["agencies"]["nodes"]
    ids = [row["id"] for part in data.values() for row in (part.get("nodes", []) if isinstance(part, dict) else part)
           if isinstance(row, dict) and "id" in row]
    return {
        "provinces": _values(data["provinces"], "code"),
        "agency-keys": _values(agencies, "key"),
        "agency-codes": _values(agencies, "code"),
        "system-codes": _values(data["informationSystems"]["nodes"], "code"),
        "project-keys": _values(data["projects"]["nodes"], "key"),
        "national-database-keys": _values(data["nationalDatabases"]["nodes"], "key"),
        "plan-keys": _values(data["plans"]["nodes"], "key"),
        "upstreams": _values(data["upstreams"], "name"),
        "global-ids": sorted(set(ids))[:200],
        "personal-ids": sorted({p for k in ("citizens", "married", "divorced", "withParents", "parcelOwners")
                                for p in samples.get(k, [])}),
        "enterprise-codes": sorted(set(samples.get("enterpriseCodes", []) + samples.get("enterpriseBranchCodes", []))),
        "social-insurance-codes": samples.get("socialInsuranceCodes", []),
        "parcel-ids": samples.get("parcelIds", []),
        "judicial-request-ids": samples.get("judicialRequestIds", []),
    }


def _pick(field, name):
    """The dictionary for an argument or input field `name` of the root field `field`, if its name says."""
    by_name = {
        "provinceCode": "provinces",
        "agencyKey": "agency-keys",
        "parentKey": "agency-keys",
        "leadAgencyKey": "agency-keys",
        "ownerAgencyKey": "agency-keys",
        "agencyCode": "agency-codes",
        "planKey": "plan-keys",
        "nationalDatabaseKey": "national-database-keys",
        "personalId": "personal-ids",
        "personalIds": "personal-ids",
        "ownerPersonalId": "personal-ids",
        "socialInsuranceCode": "social-insurance-codes",
        "parcelId": "parcel-ids",
        "requestId": "judicial-request-ids",
        "upstream": "upstreams",
        "id": "global-ids",
    }
    if name == "code":
        return {"province": "provinces", "agency": "agency-codes", "enterprise": "enterprise-codes"}.get(
            field, "system-codes"
        )
    if name == "key":
        return {"updateProject": "project-keys"}.get(field, "agency-keys")
    if name == "name" and field == "testUpstreamConnection":
        return "upstreams"
    return by_name.get(name)


def _unwrap(type_ref):
    is_list = False
    while type_ref.get("ofType") is not None:
        is_list = is_list or type_ref["kind"] == "LIST"
        type_ref = type_ref["ofType"]
    return type_ref["kind"], type_ref["name"], is_list


def bindings(schema, available):
    types = {t["name"]: t for t in schema["types"]}
    out = {}

    def walk(root, field, path, arg, depth):
        kind, type_name, is_list = _unwrap(arg["type"])
        if kind == "INPUT_OBJECT" and depth < 3:
            for sub in types[type_name]["inputFields"]:
                walk(root, field, f"{path}.{sub['name']}", sub, depth + 1)
        elif kind == "SCALAR" and type_name in ("String", "ID"):
            dictionary = _pick(field, arg["name"])
            if dictionary and available.get(dictionary):
                out[f"{root}.{field}.{path}{'[*]' if is_list else ''}"] = dictionary
        elif kind == "SCALAR" and type_name == "Int" and arg["name"] == "version":
            out[f"{root}.{field}.{path}"] = "versions"

    for root in (schema["queryType"]["name"], (schema.get("mutationType") or {}).get("name")):
        if not root:
            continue
        for field in types[root]["fields"]:
            for arg in field["args"]:
                walk(root, field["name"], arg["name"], arg, 0)
    return out


INTROSPECTION = """{ __schema { queryType { name } mutationType { name }
  types { name kind
    fields { name args { name type { ...T } } }
    inputFields { name type { ...T } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }"""


def _toml_string(s):
    return json.dumps(s, ensure_ascii=False)


def main(url, token, mock_url, out_path):
    data = _post(url, token, CATALOG)
    if data.get("errors"):
        raise SystemExit(f"catalog query failed: {data['errors']}")
    dicts = dictionaries(data["data"], _samples(mock_url))
    dicts = {name: values for name, values in dicts.items() if values}
    schema = _post(url, token, INTROSPECTION)["data"]["__schema"]
    bound = bindings(schema, dicts)
    lines = ["# Generated by tests/fuzz/dictionary.py from the running hub; do not edit.", ""]
    for name, values in sorted(dicts.items()):
        lines += [f"[dictionaries.{name}]", "values = [" + ", ".join(_toml_string(v) for v in values) + "]", ""]
    lines += ["[dictionaries.versions]", "values = [1, 2, 3]", "", "[parameters]"]
    for key, name in sorted(bound.items()):
        lines.append(f'{_toml_string(key)} = {{ dictionary = "{name}", probability = {PROBABILITY} }}')
    with open(out_path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    print(f"fuzz dictionaries: {len(dicts)} of live identifiers, {len(bound)} arguments bound")


if __name__ == "__main__":
    main(*sys.argv[1:5])
