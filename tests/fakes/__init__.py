"""Loopback fakes of GitHub and the model vendors, written once and used by every test."""
