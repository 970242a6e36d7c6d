#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""json_schema_check.py SCHEMA JSON-FILE: validate a command's -j output against its schema
(docs/schema/VERB.json, JSON Schema draft 7, with Debian's python3-jsonschema). Exit 0, or 1
naming the first violation and where it is."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
try:
    doc = json.load(open(sys.argv[2]))
except ValueError as e:
    sys.exit(f"not JSON: {e}")
jsonschema.Draft7Validator.check_schema(schema)
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
if errors:
    e = errors[0]
    sys.exit(f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:300]}")
