"""Paths and limits for the reports service."""

REPORT_DIR = "/srv/reports/pdf"
ATTACHMENT_DIR = "/srv/reports/attachments"
MAX_REPORT_PAGES = 400
