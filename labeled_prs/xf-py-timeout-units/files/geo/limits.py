"""Limits shared by every upstream call."""

# Milliseconds: the HTTP gateway and the metrics both speak ms.
UPSTREAM_TIMEOUT = 4000
MAX_REDIRECTS = 3
