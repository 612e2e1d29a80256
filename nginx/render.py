"""Render nginx/dev.conf or nginx/prod.conf: fill ${NAME} placeholders from the environment.

Only the names listed in TEMPLATE_VARS are replaced (nginx's own $variables are left alone), and a
missing one is an error rather than an empty string. Standard library only, so it also runs in a
bare container: `python3 nginx/render.py nginx/dev.conf > /tmp/nginx/nginx.conf`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

TEMPLATE_VARS = (
    "NGINX_LISTEN",
    "NGINX_HTTP_LISTEN",
    "NGINX_HTTPS_LISTEN",
    "NGINX_PUBLIC_URL",
    "NGINX_API_UPSTREAM",
    "NGINX_WEB_ROOT",
    "NGINX_RUN_DIR",
    "NGINX_MEDIA_ROOT",
    "NGINX_MEDIA_ORIGIN",
    "NGINX_MEDIA_HOSTS",
    "NGINX_SERVER_NAME",
    "NGINX_CERT_DIR",
    "MEDIA_SIGNING_SECRET",
)
_PLACEHOLDER = re.compile(r"\$\{(" + "|".join(TEMPLATE_VARS) + r")\}")


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def render(text: str, values: Mapping[str, str]) -> str:
    missing = sorted(name for name in placeholders(text) if not values.get(name))
    if missing:
        raise KeyError(f"nginx template needs: {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: render.py TEMPLATE > nginx.conf", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(render(Path(argv[1]).read_text(), os.environ))
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
