"""HTML write-up cases: titles and claims that would run a script, load something or break out
of the math, the page or an attribute if printed as they are. Each is written up with
``--format html`` and must succeed (the text is shown, inert); the browser test
(tests/writeups/test_html_browser.py) then opens every page these cases write in Chromium and
checks that nothing ran, nothing was fetched and the hostile text shows as itself.
"""

from __future__ import annotations

from tests.hostile.cases_writeup import FREE_FORM
from tests.hostile.corpus import Case

#: what a script that ran would set; the browser test checks that it stays unset
FLAG = "__chainrule_pwned"

#: texts that would be markup if printed as they are (each also holds the flag's name)
PAYLOADS = {
    "script": f"<script>window.{FLAG}=1</script>",
    "attribute": f'"><img src=x onerror="window.{FLAG}=1">',
    "single-quote": f"'><svg onload='window.{FLAG}=1'>",
    "javascript-link": f"[x](javascript:window.{FLAG}=1) <a href=\"javascript:window.{FLAG}=1\">x</a>",
    "end-math": f"</mi></math><script>window.{FLAG}=1</script><math>",
    "end-title": f"</title><script>window.{FLAG}=1</script>",
    "end-style": f"</style><script>window.{FLAG}=1</script><style>",
    "entities": f"&lt;script&gt;window.{FLAG}=1&lt;/script&gt; &#60;script&#62; &amp;lt; &#x3C;",
    "comment": f"<!-- --><script>window.{FLAG}=1</script><![CDATA[ ]]>",
    "refresh": f'<meta http-equiv="refresh" content="0;url=javascript:window.{FLAG}=1">',
    "iframe": f'<iframe srcdoc="<script>parent.{FLAG}=1</script>"></iframe>',
    "base": '<base href="javascript:alert(1)//"><form action="https://example.com">',
    "dialog": "<script>alert(1)</script><body onload=alert(2)>",
    "style-load": "<style>@import url(https://example.com/x.css);</style>"
                  "<link rel=stylesheet href=https://example.com/y.css>",
}


def _spec(title: str) -> str:
    """The write-up cases' one-weight spec, with ``title``."""
    return f'name = "evil"\ntitle = {_toml_string(title)}\n' + FREE_FORM


def _toml_string(text: str) -> str:
    """``text`` as a TOML literal string (none of the payloads holds a ``'''``)."""
    return "'''" + text + "'''"


def _claims(payload: str) -> str:
    """A claims file: the payload as a plain claim, inside a LaTeX claim (text, math, a
    ``$`` span of a detail), and after a true claim."""
    claims = [payload, f"dC/dw = {payload}", f"\\frac{{\\partial C}}{{\\partial w}} = {payload}",
              f"\\text{{{payload}}} = 1", f"z = 0.3 {payload}", "z = 0.3",
              f"dC/dw = ${payload}$", "dC/dw = (z - y)*x"]
    return "claims = [\n" + "".join(f"  {_toml_string(c)},\n" for c in claims) + "]\n"


def _case(name: str, payload: str) -> Case:
    return Case(f"html-{name}", ["derive", "{dir}/evil.toml", "--claims", "{dir}/claims.toml",
                                  "-o", "{dir}/w.html"],
                files={"evil.toml": _spec(payload),
                       "claims.toml": _claims(payload)},
                exit=0, creates=("w.html",))


CASES = [_case(name, payload) for name, payload in PAYLOADS.items()] + [
    # every payload at once, in the title of a page whose notebook form is the same article
    _case("all", " ".join(PAYLOADS.values())[:1000]),
]
