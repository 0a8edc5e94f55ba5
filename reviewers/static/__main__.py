"""`python -m reviewers.static > docs/static-rules.md`: the rule list, from the rule files."""

import sys

from reviewers.static.rules import rules_markdown

sys.stdout.write(rules_markdown())
