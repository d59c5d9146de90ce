"""Known sandbox-escape payloads: every one is refused quickly, with no side effect."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.expressions import ExpressionError, evaluate, execute

MARKER = Path("/tmp/etalon_escape_catalogue_marker")
TOUCH = f"__import__('os').system('touch {MARKER}')"

#: (payload, is_script)
PAYLOADS = [
    ("().__class__.__bases__[0].__subclasses__()", False),
    (TOUCH, False),
    ("getattr((), '__class__')", False),
    ("getattr((), '__cla' + 'ss__')", False),
    ("vars()", False),
    ("globals()", False),
    ("locals()['__builtins__']", False),
    ("[c for c in ().__class__.__base__.__subclasses__()]", False),
    ("'{0.__class__}'.format(x)", False),
    ("'{a.__globals__}'.format_map({'a': x})", False),
    ("'%s' % x", False),
    ("(x for x in []).gi_frame.f_back.f_globals", False),
    ("[x for x in []].gi_frame", False),
    ("(lambda: 0).__code__", False),
    ("type(x)", False),
    ("type('X', (), {})", False),
    ("object.__subclasses__()", False),
    ("str.mro()", False),
    ("x.__reduce_ex__(2)", False),
    ("__builtins__", False),
    ("__builtins__['eval']('1')", False),
    ("breakpoint()", False),
    ("open('/etc/passwd').read()", False),
    ("exec('import os')", False),
    ("eval('1+1')", False),
    ("compile('1', 'f', 'eval')", False),
    ("10**10**10", False),
    ("'a'*10**10", False),
    ("[0]*10**9", False),
    ("'a'.ljust(10**10)", False),
    ("'x'*1000000 .replace('x', 'y'*1000000)", False),
    ("1 << 10**9", False),
    ("f'{x.__class__}'", False),
    ("f'{x:>1000000000}'", False),
    ("f'{().__class__}'", False),
    ("sum(1 for i in range(10**12))", False),
    ("len([i for i in range(10**6) for j in range(10**6)])", False),
    ("(" * 500 + "1" + ")" * 500, False),
    ("-" * 100_000 + "1", False),
    ("[" * 200 + "]" * 200, False),
    ("x.append", False),
    ("import os\nos.system('id')", True),
    ("from os import system", True),
    ("while True:\n    pass", True),
    ("for i in range(10**12):\n    pass", True),
    ("n = 0\nfor i in range(10**6):\n    for j in range(10**6):\n        n += 1", True),
    ("def f():\n    return f()\nf()", True),
    ("class A:\n    pass", True),
    ("global x\nx = 1", True),
    ("x = []\nwhile True:\n    x.append('a' * 100000)", True),
    ("s = 'a'\nwhile True:\n    s = s + s", True),
    ("try:\n    pass\nexcept Exception:\n    pass", True),
    ("with open('/tmp/x', 'w') as f:\n    pass", True),
    ("f = len\nf('abc')", True),
    ("x = (yield 1)", True),
]


@pytest.mark.parametrize(("payload", "is_script"), PAYLOADS, ids=[p[:40] for p, _ in PAYLOADS])
def test_payload_is_refused_quickly_without_side_effects(payload: str, is_script: bool) -> None:
    MARKER.unlink(missing_ok=True)
    data = {"x": [1, 2]}
    started = time.monotonic()
    with pytest.raises(ExpressionError):
        if is_script:
            execute(payload, data)
        else:
            evaluate(payload, data)
    assert time.monotonic() - started < 2.0
    assert not MARKER.exists()
    # The interpreter is still fine afterwards.
    assert evaluate("len(x) + 1", {"x": [1, 2]}) == 3


def test_catalogue_is_large_enough() -> None:
    assert len(PAYLOADS) >= 20
