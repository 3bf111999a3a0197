"""The countdown script writes durations exactly as the server does (run under Node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import slaclock.web
from slaclock.web.formatting import Formatter
from slaclock.web.i18n import LOCALES

SCRIPT = Path(slaclock.web.__file__).resolve().parent / "static" / "site.js"
SECONDS = [0, 1, 59, 61, 3599, 3600, 7500, -7500, 86399, -97200, 90061, 3 * 86400 + 5]
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_script_durations_equal_the_server_s() -> None:
    program = (
        f"const c = require({json.dumps(str(SCRIPT))});"
        f"const out = {{}};"
        f"for (const lang of {json.dumps(list(LOCALES))})"
        f"  out[lang] = {json.dumps(SECONDS)}.map(s => c.duration(s, lang));"
        f"console.log(JSON.stringify(out));"
    )
    assert NODE is not None
    result = subprocess.run(
        [NODE, "-e", program], capture_output=True, text=True, check=True, timeout=60
    )
    from_script = json.loads(result.stdout)
    for locale in LOCALES:
        fmt = Formatter(locale, ZoneInfo("UTC"))
        for seconds, text in zip(SECONDS, from_script[locale], strict=True):
            expected = fmt.duration(seconds)
            if locale == "nb" and abs(seconds) >= 86400:
                # Node's ICU abbreviates Bokmål days "d", Babel's CLDR "døgn": both correct.
                expected = expected.replace("døgn", "d")
            assert text == expected, (locale, seconds)
