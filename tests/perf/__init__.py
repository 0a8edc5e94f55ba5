"""Load scripts that print figures (run by hand, not collected by pytest)."""
