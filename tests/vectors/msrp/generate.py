#!/usr/bin/env python3
"""Writes the MSRP, CPIM, IMDN and isComposing wire vectors.

Run from anywhere: `python3 tests/vectors/msrp/generate.py`; `--check`
verifies the files on disk instead of writing them. Each vector is given as
lines joined with CRLF (MSRP and CPIM are CRLF protocols); bodies are exact.
The examples are reconstructed from the RFC text (RFC 4975 sections 4, 7
and 10, RFC 4976 section 7, RFC 3862 section 3.2, RFC 5438 section 7.2,
RFC 3994 section 5); Byte-Range values were recomputed against the bodies.
`sipchat-ipv6-*` are sipchat's own: a SEND and its 200 between IPv6 hosts.
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
CRLF = "\r\n"


def frame(*lines, body=None, end):
    head = CRLF.join(lines) + CRLF
    if body is not None:
        head += CRLF + body + CRLF
    return head + end + CRLF


ALICE = "msrp://atlanta.example.com:7654/jshA7weztas;tcp"
BOB = "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp"
ALICE2 = "msrp://alicepc.example.com:7777/iau39soe2843z;tcp"
BOB2 = "msrp://bob.example.com:8888/9di4eae923wzd;tcp"
A_RELAYED = "msrps://alice.example.com:9892/98cjs;tcp"
RELAY_A = "msrps://relay.example.com:2855;tcp"
RELAY_B = "msrps://relay.example.net:2855;tcp"
B_RELAYED = "msrps://bob.example.net:8493/9qa3x;tcp"
# sipchat's own (issue #19): endpoints on IPv6 addresses (RFC 3849 prefix).
ALICE6 = "msrp://[2001:db8::10]:40001/v6sess01;tcp"
BOB6 = "msrp://[2001:db8::20]:40002/v6sess02;tcp"

HI = "Hey Bob, are you there?"
HTML = "<html><body><p>Here is that important link...\r\n<a href=\"http://www.example.com/foobar\">foobar</a>\r\n</p></body></html>"

VECTORS = {
    # RFC 4975 section 4: the first SEND and its 200.
    "rfc4975-4-send.msrp": frame(
        "MSRP a786hjs2 SEND", f"To-Path: {BOB}", f"From-Path: {ALICE}",
        "Message-ID: 87652491", f"Byte-Range: 1-{len(HI)}/{len(HI)}",
        "Content-Type: text/plain", body=HI, end="-------a786hjs2$"),
    "rfc4975-4-200.msrp": frame(
        "MSRP a786hjs2 200 OK", f"To-Path: {ALICE}", f"From-Path: {BOB}",
        end="-------a786hjs2$"),
    # RFC 4975 section 10.1-style: a message with a success report request.
    "rfc4975-10-send-report.msrp": frame(
        "MSRP d93kswow SEND", f"To-Path: {BOB2}", f"From-Path: {ALICE2}",
        "Message-ID: 12339sdqwer", "Success-Report: yes", "Failure-Report: yes",
        f"Byte-Range: 1-{len(HTML)}/{len(HTML)}", "Content-Type: text/html",
        body=HTML, end="-------d93kswow$"),
    "rfc4975-10-report.msrp": frame(
        "MSRP dkei38sd REPORT", f"To-Path: {ALICE2}", f"From-Path: {BOB2}",
        "Message-ID: 12339sdqwer", f"Byte-Range: 1-{len(HTML)}/{len(HTML)}",
        "Status: 000 200 OK", end="-------dkei38sd$"),
    # RFC 4975 section 7.1: chunks with an unknown end, then an abort.
    "rfc4975-7-chunk-more.msrp": frame(
        "MSRP 23kf0sd SEND", f"To-Path: {BOB2}", f"From-Path: {ALICE2}",
        "Message-ID: 4dsdfsz9", "Byte-Range: 1-*/*", "Content-Type: text/plain",
        body="first part of a long message", end="-------23kf0sd+"),
    "rfc4975-7-chunk-abort.msrp": frame(
        "MSRP 23kf0se SEND", f"To-Path: {BOB2}", f"From-Path: {ALICE2}",
        "Message-ID: 4dsdfsz9", "Byte-Range: 29-*/*", "Content-Type: text/plain",
        body=" and the sender gave up", end="-------23kf0se#"),
    # RFC 4975 section 7.3: empty SEND (binding / keep-alive).
    "rfc4975-7-empty-send.msrp": frame(
        "MSRP fb3k20 SEND", f"To-Path: {BOB2}", f"From-Path: {ALICE2}",
        "Message-ID: 9s9d8s7e", "Byte-Range: 1-0/0", end="-------fb3k20$"),
    # RFC 4975 section 10: error responses.
    "rfc4975-10-415.msrp": frame(
        "MSRP d93kswow 415 Unsupported Media Type", f"To-Path: {ALICE2}",
        f"From-Path: {BOB2}", end="-------d93kswow$"),
    "rfc4975-10-481.msrp": frame(
        "MSRP a786hjs3 481 No Such Session", f"To-Path: {ALICE}",
        f"From-Path: {BOB}", end="-------a786hjs3$"),
    # RFC 4976 section 7.1: AUTH, 401 without opaque, AUTH with credentials, 200.
    "rfc4976-7-auth.msrp": frame(
        "MSRP 49fh AUTH", "To-Path: msrps://alice@intra.example.com;tcp",
        f"From-Path: {A_RELAYED}", end="-------49fh$"),
    "rfc4976-7-401.msrp": frame(
        "MSRP 49fh 401 Unauthorized", f"To-Path: {A_RELAYED}",
        "From-Path: msrps://alice@intra.example.com;tcp",
        'WWW-Authenticate: Digest realm="intra.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"',
        end="-------49fh$"),
    "rfc4976-7-auth-credentials.msrp": frame(
        "MSRP 49fi AUTH", "To-Path: msrps://alice@intra.example.com;tcp",
        f"From-Path: {A_RELAYED}",
        'Authorization: Digest username="Alice", realm="intra.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1"',
        end="-------49fi$"),
    "rfc4976-7-200.msrp": frame(
        "MSRP 49fi 200 OK", f"To-Path: {A_RELAYED}",
        "From-Path: msrps://alice@intra.example.com;tcp",
        f"Use-Path: {RELAY_A}", "Expires: 900", end="-------49fi$"),
    "rfc4976-7-423.msrp": frame(
        "MSRP 49fj 423 Interval Out-of-Bounds", f"To-Path: {A_RELAYED}",
        "From-Path: msrps://alice@intra.example.com;tcp", "Min-Expires: 300",
        end="-------49fj$"),
    # RFC 4976 section 7.2: a SEND through two relays.
    "rfc4976-7-send-relayed.msrp": frame(
        "MSRP 6aef SEND", f"To-Path: {RELAY_A} {RELAY_B} {B_RELAYED}",
        f"From-Path: {A_RELAYED}", "Message-ID: 87652", "Byte-Range: 1-6/6",
        "Content-Type: text/plain", body="Hi Bob", end="-------6aef$"),
    # sipchat: a SEND and its 200 between two IPv6 endpoints.
    "sipchat-ipv6-send.msrp": frame(
        "MSRP v6tx0001 SEND", f"To-Path: {BOB6}", f"From-Path: {ALICE6}",
        "Message-ID: v6msg1", "Byte-Range: 1-5/5", "Content-Type: text/plain",
        body="hello", end="-------v6tx0001$"),
    "sipchat-ipv6-200.msrp": frame(
        "MSRP v6tx0001 200 OK", f"To-Path: {ALICE6}", f"From-Path: {BOB6}",
        end="-------v6tx0001$"),
}

CPIM = {
    "rfc3862-3.2.cpim": CRLF.join([
        "From: MR SANDERS <im:piglet@100akerwood.com>",
        "To: Depressed Donkey <im:eeyore@100akerwood.com>",
        "DateTime: 2000-12-13T13:40:00-08:00",
        "Subject: the weather will be fine today",
        "Subject:;lang=fr beau temps prevu pour aujourd'hui",
        "NS: MyFeatures <mid:MessageFeatures@id.foo.com>",
        "Require: MyFeatures.VitalMessageOption",
        "MyFeatures.VitalMessageOption: Confirmation-requested",
        "MyFeatures.WackyMessageOption: Use-silly-font",
        "",
        "Content-type: text/xml; charset=utf-8",
        "Content-ID: <1234567890@foo.com>",
        "",
        "<body>",
        "Here is the text of my message.",
        "</body>",
        ""]),
    "rfc5438-imdn-request.cpim": CRLF.join([
        "From: Alice <im:alice@example.com>",
        "To: Bob <im:bob@example.com>",
        "NS: imdn <urn:ietf:params:imdn>",
        "imdn.Message-ID: 34jk324j",
        "DateTime: 2006-04-04T12:16:49-05:00",
        "imdn.Disposition-Notification: positive-delivery, display",
        "",
        "Content-type: text/plain",
        "Content-length: 12",
        "",
        "Hello World"]) + CRLF,
}

XML = {
    "rfc5438-delivered.imdn.xml": """<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn">
  <message-id>34jk324j</message-id>
  <datetime>2008-04-04T12:16:49-05:00</datetime>
  <recipient-uri>im:bob@example.com</recipient-uri>
  <original-recipient-uri>im:bob@example.com</original-recipient-uri>
  <delivery-notification>
    <status>
      <delivered/>
    </status>
  </delivery-notification>
</imdn>
""",
    "rfc5438-displayed.imdn.xml": """<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn">
  <message-id>34jk324j</message-id>
  <datetime>2008-04-04T12:16:49-05:00</datetime>
  <recipient-uri>im:bob@example.com</recipient-uri>
  <original-recipient-uri>im:bob@example.com</original-recipient-uri>
  <display-notification>
    <status>
      <displayed/>
    </status>
  </display-notification>
</imdn>
""",
    "rfc3994-active.iscomposing.xml": """<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:ietf:params:xml:ns:im-composing iscomposing.xsd">
  <state>active</state>
  <contenttype>text/html</contenttype>
  <refresh>90</refresh>
</isComposing>
""",
    "rfc3994-idle.iscomposing.xml": """<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:ietf:params:xml:ns:im-composing iscomposing.xsd">
  <state>idle</state>
  <lastactive>2003-01-27T10:43:00Z</lastactive>
  <contenttype>audio</contenttype>
</isComposing>
""",
}


SEEDS = HERE.parent.parent / "fuzz" / "seeds"


def files():
    """Every file to write: the vectors, and fuzz seeds for msrp_frame and
    msrp_session (the MSRP vectors behind the harnesses' split byte)."""
    for name, text in {**VECTORS, **CPIM, **XML}.items():
        yield HERE / name, text.encode("utf-8")
    stream = "".join(VECTORS.values()).encode("utf-8")
    for target in ("msrp_frame", "msrp_session"):
        for name, text in VECTORS.items():
            yield SEEDS / target / name, b"\x07" + text.encode("utf-8")
        yield SEEDS / target / "all-in-one.msrp", b"\x03" + stream


def main():
    check = "--check" in sys.argv
    bad = 0
    for path, data in files():
        name = path.name
        path.parent.mkdir(parents=True, exist_ok=True)
        if check:
            if not path.is_file() or path.read_bytes() != data:
                print(f"differs: {name}")
                bad += 1
        else:
            path.write_bytes(data)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
