"""reviewers.imports: import statements resolved to repository files, per language."""

from __future__ import annotations

import pytest

from reviewers.imports import Import, PathIndex, imports_of

TREE = {
    "src/shop/__init__.py": "",
    "src/shop/models.py": "",
    "src/shop/util/__init__.py": "",
    "src/shop/util/money.py": "",
    "web/lib/money.ts": "",
    "web/lib/index.js": "",
    "web/app/cart.tsx": "",
    "go.mod": "module example.com/shop\n\ngo 1.22\n",
    "internal/money/money.go": "",
    "internal/money/money_test.go": "",
    "cart/cart.go": "",
    "cart/helpers.go": "",
    "java/com/acme/money/Money.java": "",
    "java/com/acme/money/Rates.java": "",
    "java/com/acme/cart/Cart.java": "",
    "java/com/acme/cart/Line.java": "",
    "native/src/buf.c": "",
    "native/include/buf.h": "",
    "crate/src/lib.rs": "",
    "crate/src/parse.rs": "",
    "crate/src/net/mod.rs": "",
}


def resolve(path: str, text: str) -> list[tuple[str | None, str | None, tuple[str, ...]]]:
    index = PathIndex(TREE, TREE.get)
    return [(i.local, i.original, i.paths) for i in imports_of(path, text, index)]


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (
            "src/shop/cart.py",
            "from shop.models import Order as O\nimport json\n",
            [("O", "Order", ("src/shop/models.py",))],
        ),
        (
            "src/shop/cart.py",
            "from .util import money\nfrom . import models\n",
            [  # a name defined in the package, or its submodule
                ("money", "money", ("src/shop/util/__init__.py", "src/shop/util/money.py")),
                ("models", "models", ("src/shop/__init__.py", "src/shop/models.py")),
            ],
        ),
        (
            "src/shop/util/money.py",
            "from ..models import Order\n",
            [("Order", "Order", ("src/shop/models.py",))],
        ),
        (
            "src/shop/cart.py",
            "import shop.util.money as m\n",
            [("m", None, ("src/shop/util/money.py",))],
        ),
        ("src/shop/cart.py", "def broken(:\n", []),
        (
            "web/app/cart.tsx",
            "import { cents as c, Rate } from '../lib/money';\nimport React from 'react';\n",
            [("c", "cents", ("web/lib/money.ts",)), ("Rate", "Rate", ("web/lib/money.ts",))],
        ),
        (
            "web/app/cart.tsx",
            "import Lib from '../lib';\nimport * as M from '../lib/money.js';\n",
            [("Lib", "default", ("web/lib/index.js",)), ("M", None, ("web/lib/money.ts",))],
        ),
        (
            "cart/cart.go",
            'package cart\n\nimport (\n\t"fmt"\n\tm "example.com/shop/internal/money"\n)\n',
            [
                (None, None, ("cart/helpers.go",)),
                ("m", None, ("internal/money/money.go",)),
            ],
        ),
        (
            "java/com/acme/cart/Cart.java",
            "package com.acme.cart;\n\nimport com.acme.money.Money;\nimport java.util.List;\n",
            [
                (None, None, ("java/com/acme/cart/Line.java",)),
                ("Money", "Money", ("java/com/acme/money/Money.java",)),
            ],
        ),
        (
            "java/com/acme/cart/Cart.java",
            "import static com.acme.money.Money.cents;\nimport com.acme.money.*;\n",
            [
                (None, None, ("java/com/acme/cart/Line.java",)),
                ("cents", "cents", ("java/com/acme/money/Money.java",)),
                (
                    None,
                    None,
                    ("java/com/acme/money/Money.java", "java/com/acme/money/Rates.java"),
                ),
            ],
        ),
        (
            "native/src/buf.c",
            '#include "buf.h"\n#include <stdio.h>\n',
            [(None, None, ("native/include/buf.h",))],
        ),
        (
            "crate/src/lib.rs",
            "pub mod parse;\nmod net;\nuse std::io;\n",
            [("parse", None, ("crate/src/parse.rs",)), ("net", None, ("crate/src/net/mod.rs",))],
        ),
        ("README.md", "import x from './y'", []),
    ],
)
def test_imports_resolve_to_repository_files(
    path: str, text: str, expected: list[tuple[str | None, str | None, tuple[str, ...]]]
) -> None:
    assert resolve(path, text) == expected


def test_same_package_files_are_implicit_imports() -> None:
    index = PathIndex(TREE, TREE.get)
    found = imports_of("cart/cart.go", "package cart\n", index)
    assert found == [Import(None, None, ("cart/helpers.go",), implicit=True)]
