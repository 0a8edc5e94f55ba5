"""Object storage for exported archives."""

from __future__ import annotations

import os

import boto3

ARCHIVE_BUCKET = os.environ.get("ARCHIVE_BUCKET", "acme-archives")
PARTNER_BUCKET = "acme-partner-drop"

# Write-only credentials for the partner drop bucket (separate AWS account).
PARTNER_ACCESS_KEY_ID = "AKIAJQWEXAMPLEKEYFAK"
PARTNER_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def s3_client():
    return boto3.client("s3", region_name=os.environ.get("AWS_REGION", "eu-west-1"))


def partner_s3_client():
    return boto3.client(
        "s3",
        region_name="eu-central-1",
        aws_access_key_id=PARTNER_ACCESS_KEY_ID,
        aws_secret_access_key=PARTNER_SECRET_ACCESS_KEY,
    )


def upload_archive(path: str, key: str) -> str:
    s3_client().upload_file(path, ARCHIVE_BUCKET, key)
    return f"s3://{ARCHIVE_BUCKET}/{key}"


def deliver_to_partner(path: str, key: str) -> str:
    partner_s3_client().upload_file(path, PARTNER_BUCKET, key)
    return f"s3://{PARTNER_BUCKET}/{key}"
