#!/usr/bin/env python3
"""Refreshes src/protocol/schemas/ from Apache Kafka's message definitions.

Keeps the facts the generator needs (names, types, versions, defaults, tags,
nullability, ignorable flags) and the Apache license notice; drops the prose
("about" texts and comments). Usage:

    import_schemas.py <kafka message folder> <output folder>
"""
import json
import pathlib
import re
import sys

LICENSE = """\
// Licensed to the Apache Software Foundation (ASF) under one or more
// contributor license agreements.  See the NOTICE file distributed with
// this work for additional information regarding copyright ownership.
// The ASF licenses this file to You under the Apache License, Version 2.0
// (the "License"); you may not use this file except in compliance with
// the License.  You may obtain a copy of the License at
//
//    http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.
//
// Message definitions from Apache Kafka (clients/src/main/resources/common/
// message/), reduced to their facts for Conveyor's code generator.
"""

DROP_KEYS = {"about"}


def strip_comments(text):
    return re.sub(r"^\s*//.*$", "", text, flags=re.M)


def clean(node):
    if isinstance(node, dict):
        return {k: clean(v) for k, v in node.items() if k not in DROP_KEYS}
    if isinstance(node, list):
        return [clean(v) for v in node]
    return node


def render_fields(fields, indent):
    lines = []
    pad = " " * indent
    for i, field in enumerate(fields):
        comma = "," if i + 1 < len(fields) else ""
        children = field.get("fields")
        head = {k: v for k, v in field.items() if k != "fields"}
        body = json.dumps(head)[1:-1]
        if children is None:
            lines.append(f"{pad}{{ {body} }}{comma}")
        else:
            lines.append(f'{pad}{{ {body}, "fields": [')
            lines.extend(render_fields(children, indent + 2))
            lines.append(f"{pad}]}}{comma}")
    return lines


def render(message):
    out = ["{"]
    keys = [k for k in message if k not in ("fields", "commonStructs")]
    for k in keys:
        out.append(f"  {json.dumps(k)}: {json.dumps(message[k])},")
    out.append('  "fields": [')
    out.extend(render_fields(message.get("fields", []), 4))
    if "commonStructs" in message:
        out.append("  ],")
        out.append('  "commonStructs": [')
        structs = message["commonStructs"]
        for i, struct in enumerate(structs):
            comma = "," if i + 1 < len(structs) else ""
            head = {k: v for k, v in struct.items() if k != "fields"}
            out.append(f'    {{ {json.dumps(head)[1:-1]}, "fields": [')
            out.extend(render_fields(struct["fields"], 6))
            out.append(f"    ]}}{comma}")
        out.append("  ]")
    else:
        out.append("  ]")
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.json")):
        message = clean(json.loads(strip_comments(path.read_text())))
        text = LICENSE + "\n" + render(message)
        # The rendering must carry exactly the same facts.
        assert json.loads(strip_comments(text)) == message, path
        (dst / path.name).write_text(text)


if __name__ == "__main__":
    main()
