"""RFC 3161 time-stamps of the audit anchors, from the TSA at AUDIT_TSA_URL (optional).

A time-stamp authority signs "this digest existed at this time" with its own key: an anchor that
carries one cannot be back-dated or re-created later, even by someone holding the portal's
signing key. The request is built by hand (DER, SHA-256, nonce, certificate requested); the
token is stored as is, in base64, in the anchor line ("tsa"), and can be checked offline with
`openssl ts -verify -digest <sha256> -token_in -in token.der -CAfile <TSA chain>` (see
docs/security.md). The portal only checks that the authority granted the request.
"""

import secrets

import requests
from django.conf import settings

SHA256_OID = bytes.fromhex("0609608648016503040201")  # 2.16.840.1.101.3.4.2.1
DER_NULL = b"\x05\x00"
DER_TRUE = b"\x01\x01\xff"
GRANTED = (0, 1)  # granted, grantedWithMods


class TimestampError(Exception):
    """The TSA did not answer, refused, or answered something unreadable (English, for logs)."""


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _length(len(value)) + value


def _integer(n: int) -> bytes:
    raw = n.to_bytes(n.bit_length() // 8 + 1, "big", signed=False)  # leading 0: positive
    return _tlv(0x02, raw)


def timestamp_request(digest: bytes, nonce: int) -> bytes:
    """DER TimeStampReq (RFC 3161 §2.4.1) for a SHA-256 digest."""
    algorithm = _tlv(0x30, SHA256_OID + DER_NULL)
    imprint = _tlv(0x30, algorithm + _tlv(0x04, digest))
    return _tlv(0x30, _integer(1) + imprint + _integer(nonce) + DER_TRUE)


def _read(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of value, end of value) of the DER element at `at`."""
    if at + 2 > len(data):
        raise TimestampError("truncated DER")
    tag, first = data[at], data[at + 1]
    at += 2
    if first < 0x80:
        length = first
    else:
        size = first & 0x7F
        if not 0 < size <= 4 or at + size > len(data):
            raise TimestampError("bad DER length")
        length = int.from_bytes(data[at : at + size], "big")
        at += size
    if at + length > len(data):
        raise TimestampError("truncated DER")
    return tag, at, at + length


def token_from_response(data: bytes) -> bytes:
    """The TimeStampToken (DER ContentInfo) of a granted TimeStampResp; TimestampError else."""
    tag, start, end = _read(data, 0)
    if tag != 0x30:
        raise TimestampError("response is not a DER SEQUENCE")
    tag, status_start, status_end = _read(data, start)
    if tag != 0x30:
        raise TimestampError("no PKIStatusInfo")
    tag, value_start, value_end = _read(data, status_start)
    if tag != 0x02:
        raise TimestampError("no PKIStatus")
    status = int.from_bytes(data[value_start:value_end], "big", signed=True)
    if status not in GRANTED:
        raise TimestampError(f"TSA refused the request (PKIStatus {status})")
    if status_end >= end:
        raise TimestampError("granted without a token")
    tag, token_start, token_end = _read(data, status_end)
    if tag != 0x30:
        raise TimestampError("token is not a DER SEQUENCE")
    return data[status_end:token_end]


def tsa_url() -> str:
    return getattr(settings, "AUDIT_TSA_URL", "") or ""


def request_timestamp(digest: bytes) -> bytes:
    """Ask the TSA to time-stamp `digest` (SHA-256); return the DER token."""
    body = timestamp_request(digest, secrets.randbits(63))
    try:
        response = requests.post(
            tsa_url(),
            data=body,
            headers={"Content-Type": "application/timestamp-query"},
            timeout=float(getattr(settings, "AUDIT_TSA_TIMEOUT", 10)),
        )
    except requests.RequestException as exc:
        raise TimestampError(f"TSA unreachable: {exc}") from exc
    if response.status_code != 200:
        raise TimestampError(f"TSA answered HTTP {response.status_code}")
    return token_from_response(response.content)
