#!/usr/bin/env python3
"""Writes the wire vectors in this folder as binary-exact .sip files.

Sources (see README.md):
  * RFC 4475 "SIP Torture Test Messages", section 3 (file names are the RFC's
    own names without the .dat suffix).
  * RFC 3261 section 24 (24.1 registration, 24.2 session setup: ACK, BYE, 200).
  * RFC 3665 section 2.1 (REGISTER challenged with 401, then 200).
  * RFC 3428 section 4 (page-mode MESSAGE flow).

Every header section uses CRLF line ends.  Text parts are written here with
"\n" and converted; binary parts (mpart01's DER body) are appended after the
conversion so that their 0x0A/0x0D octets stay as they are.

Run from anywhere: python3 tests/vectors/generate.py [--check]
--check only verifies that the files on disk equal what would be written.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def crlf(text):
    """Header/body text with LF line ends -> CRLF; str is UTF-8 encoded."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    assert b"\r" not in text, "write text parts with \\n only"
    return text.replace(b"\n", b"\r\n")


def sdp(ip, t="0 0", video_line="m=video 3227 RTP/AVP 31"):
    return (
        "v=0\n"
        f"o=mhandley 29739 7272939 IN IP4 {ip}\n"
        "s=-\n"
        f"c=IN IP4 {ip}\n"
        f"t={t}\n"
        "m=audio 49217 RTP/AVP 0 12\n"
        f"{video_line}\n"
        "a=rtpmap:31 LPC\n"
    )


V = {}  # name -> bytes
CL_MUST_MATCH = set()  # vectors whose Content-Length equals their body length

# --------------------------------------------------------------------------
# RFC 4475 3.1.1 Valid Messages
# --------------------------------------------------------------------------

# 3.1.1.1 A Short Tortuous INVITE
V["wsinv"] = crlf(
    "INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\n"
    "TO :\n"
    " sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\n"
    'from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>\n'
    "  ;\n"
    "  tag = 98asjd8\n"
    "MaX-fOrWaRdS: 0068\n"
    "Call-ID: wsinv.ndaksdj@192.0.2.1\n"
    "Content-Length   : 150\n"
    "cseq: 0009\n"
    "  INVITE\n"
    "Via  : SIP  /   2.0\n"
    " /UDP\n"
    "    192.0.2.2;branch=390skdjuw\n"
    "s :\n"
    "NewFangledHeader:   newfangled value\n"
    " continued newfangled value\n"
    "UnknownHeaderWithUnusualValue: ;;,,;;,;\n"
    "Content-Type: application/sdp\n"
    "Route:\n"
    " <sip:services.example.com;lr;unknownwith=value;unknown-no-value>\n"
    "v:  SIP  / 2.0  / TCP     spindle.example.com   ;\n"
    "  branch  =   z9hG4bK9ikj8  ,\n"
    " SIP  /    2.0   / UDP  192.168.255.111   ; branch=\n"
    " z9hG4bK30239\n"
    'm:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =\n'
    "      newvalue ;\n"
    "  secondparam ; q = 0.33\n"
    "\n" + sdp("192.0.2.3").replace("c=IN IP4 192.0.2.3", "c=IN IP4 192.0.2.4")
)
CL_MUST_MATCH.add("wsinv")

# 3.1.1.2 Wide Range of Valid Characters (NUL, BEL, DEL inside a quoted
# string; UTF-8 in a header parameter and in an extension header value)
RABOTAYUSHCHIY = "работающий"  # D1 80 D0 B0 D0 B1 D0 BE D1 82 D0 B0 D1 8E D1 89 D0 B8 D0 B9
assert RABOTAYUSHCHIY.encode() == bytes.fromhex("D180D0B0D0B1D0BED182D0B0D18ED189D0B8D0B9")
EXT_VALUE = bytes.fromhex("EFBBBFE5A4A7E5819CE99BBB")  # BOM + 大停電
V["intmeth"] = crlf(
    "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0\n"
    "Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~\n"
    'To: "BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f" <sip:1_unusual.URI~(to-be!sure)&isn\'t+it$/crazy?,/;;*@example.com>\n'
    "From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\""
    + RABOTAYUSHCHIY
    + "\";tag=_token~1'+`*%!-.\n"
    "Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{\n"
    "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~\n"
    "Max-Forwards: 255\n"
    "extensionHeader-!.%*+_`'~:" + EXT_VALUE.decode("utf-8") + "\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("intmeth")

# 3.1.1.3 Valid Use of the % Escaping Mechanism
V["esc01"] = crlf(
    "INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0\n"
    "To: sip:%75se%72@example.com\n"
    "From: <sip:I%20have%20spaces@example.net>;tag=938\n"
    "Max-Forwards: 87\n"
    "i: esc01.239409asdfakjkn23onasd0-3234\n"
    "CSeq: 234234 INVITE\n"
    "Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw\n"
    "C: application/sdp\n"
    "Contact:\n"
    "  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>\n"
    "Content-Length: 150\n"
    "\n" + sdp("192.0.2.1")
)
CL_MUST_MATCH.add("esc01")

# 3.1.1.4 Escaped Nulls in URIs
V["escnull"] = crlf(
    "REGISTER sip:example.com SIP/2.0\n"
    "To: sip:null-%00-null@example.com\n"
    "From: sip:null-%00-null@example.com;tag=839923423\n"
    "Max-Forwards: 70\n"
    "Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd\n"
    "CSeq: 14398234 REGISTER\n"
    "Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw\n"
    "Contact: <sip:%00@host5.example.com>\n"
    "Contact: <sip:%00%00@host5.example.com>\n"
    "L:0\n"
    "\n"
)
CL_MUST_MATCH.add("escnull")

# 3.1.1.5 Use of % When It Is Not an Escape
V["esc02"] = crlf(
    "RE%47IST%45R sip:registrar.example.com SIP/2.0\n"
    'To: "%Z%45" <sip:resource@example.com>\n'
    'From: "%Z%45" <sip:resource@example.com>;tag=f232jadfj23\n'
    "Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf\n"
    "Via: SIP/2.0/TCP host.example.com;branch=z9hG4bK209%fzsnel234\n"
    "CSeq: 29344 RE%47IST%45R\n"
    "Max-Forwards: 70\n"
    "Contact: <sip:alias1@host1.example.com>\n"
    "C%6Fntact: <sip:alias2@host2.example.com>\n"
    "Contact: <sip:alias3@host3.example.com>\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("esc02")

# 3.1.1.6 Message with No LWS between Display Name and <
V["lwsdisp"] = crlf(
    "OPTIONS sip:user@example.com SIP/2.0\n"
    "To: sip:user@example.com\n"
    "From: caller<sip:caller@example.com>;tag=323\n"
    "Max-Forwards: 70\n"
    "Call-ID: lwsdisp.1234abcd@funky.example.com\n"
    "CSeq: 60 OPTIONS\n"
    "Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("lwsdisp")

# 3.1.1.7 Long Values in Header Fields
vias = []
vias.append("Via: SIP/2.0/TCP sip33.example.com")
for name, n in [
    ("v: ", 32), ("V: ", 31), ("Via: ", 30), ("ViA: ", 29), ("VIa: ", 28),
    ("VIA: ", 27), ("via: ", 26), ("viA: ", 25), ("vIa: ", 24), ("vIA: ", 23),
    ("V :  ", 22), ("v :  ", 21), ("V  : ", 20), ("v  : ", 19), ("Via : ", 18),
    ("Via  : ", 17),
]:
    vias.append(f"{name}SIP/2.0/TCP sip{n}.example.com")
for n in range(16, 0, -1):
    vias.append(f"Via: SIP/2.0/TCP sip{n}.example.com")
vias.append(
    "Via: SIP/2.0/TCP host.example.com;received=192.0.2.5;branch=very"
    + "long" * 50 + "branchvalue"
)
V["longreq"] = crlf(
    "INVITE sip:user@example.com SIP/2.0\n"
    'To: "I have a user name of ' + "extreme" * 10 + ' proportion"'
    "<sip:user@example.com:6000;unknownparam1=very" + "long" * 20 + "value;"
    "longparam" + "name" * 25 + "=shortvalue;very" + "long" * 25
    + "ParameterNameWithNoValue>\n"
    "F: sip:" + "amazinglylongcallername" * 5 + "@example.net;tag=12"
    + "982" * 50 + "424;unknownheaderparam" + "name" * 20
    + "=unknowheaderparam" + "value" * 15 + ";unknownValuelessparam"
    + "nameparam" * 9 + "name\n"
    "Call-ID: longreq.one" + "really" * 20 + "longcallid\n"
    "CSeq: 3882340 INVITE\n"
    "Unknown-" + "Long" * 20 + "-Name: unknown-" + "long" * 20
    + "-value; unknown-" + "long" * 20 + "-parameter-name = unknown-"
    + "long" * 20 + "-parameter-value\n"
    + "\n".join(vias) + "\n"
    "Max-Forwards: 70\n"
    "Contact: <sip:" + "amazinglylongcallername" * 5 + "@host5.example.net>\n"
    "Content-Type: application/sdp\n"
    "l: 150\n"
    "\n" + sdp("192.0.2.1")
)
CL_MUST_MATCH.add("longreq")

# 3.1.1.8 Extra Trailing Octets in a UDP Datagram
V["dblreq"] = crlf(
    "REGISTER sip:example.com SIP/2.0\n"
    "To: sip:j.user@example.com\n"
    "From: sip:j.user@example.com;tag=43251j3j324\n"
    "Max-Forwards: 8\n"
    "I: dblreq.0ha0isndaksdj99sdfafnl3lk233412\n"
    "Contact: sip:j.user@host.example.com\n"
    "CSeq: 8 REGISTER\n"
    "Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492\n"
    "Content-Length: 0\n"
    "\n"
    "\n"
    "INVITE sip:joe@example.com SIP/2.0\n"
    "t: sip:joe@example.com\n"
    "From: sip:caller@example.net;tag=141334\n"
    "Max-Forwards: 8\n"
    "Call-ID: dblreq.0ha0isnda977644900765@192.0.2.15\n"
    "CSeq: 8 INVITE\n"
    "Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234\n"
    "Content-Type: application/sdp\n"
    "Content-Length: 150\n"
    "\n" + sdp("192.0.2.15", video_line="m =video 3227 RTP/AVP 31") + "\n"
)

# 3.1.1.9 Semicolon-Separated Parameters in URI User Part
V["semiuri"] = crlf(
    "OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0\n"
    "To: sip:j_user@example.com\n"
    "From: sip:caller@example.org;tag=33242\n"
    "Max-Forwards: 3\n"
    "Call-ID: semiuri.0ha0isndaksdj\n"
    "CSeq: 8 OPTIONS\n"
    "Accept: application/sdp, application/pkcs7-mime,\n"
    "        multipart/mixed, multipart/signed,\n"
    "        message/sip, message/sipfrag\n"
    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("semiuri")

# 3.1.1.10 Varied and Unknown Transport Types
V["transports"] = crlf(
    "OPTIONS sip:user@example.com SIP/2.0\n"
    "To: sip:user@example.com\n"
    "From: <sip:caller@example.com>;tag=323\n"
    "Max-Forwards: 70\n"
    "Call-ID:  transports.kijh4akdnaqjkwendsasfdj\n"
    "Accept: application/sdp\n"
    "CSeq: 60 OPTIONS\n"
    "Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw\n"
    "Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf\n"
    "Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj\n"
    "Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en\n"
    "Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("transports")

# 3.1.1.11 Multipart MIME Message (binary part with NUL, CR and LF octets)
DER = bytes.fromhex(
    "3082015206092A864886F70D010702A08201433082013F02"
    "01013109300706052B0E03021A300B06092A864886F70D010701318201203082"
    "011C020101307C3070310B300906035504061302555331133011060355040813"
    "0A43616C69666F726E69613111300F0603550407130853616E204A6F7365310E"
    "300C060355040A1305736970697431293027060355040B132053697069742054"
    "65737420436572746966696361746520417574686F7269747902080195007102"
    "330113300706052B0E03021A300D06092A864886F70D01010105000481808EF4"
    "66F948F0522DD2E5978E9D95AAE9F2FE15A06659716292E8DA2AA8D8350A68CE"
    "FFAE3CBD2BFF1675DDD5648E593DD64728F26220F7E941749E330D9A15EDABDB"
    "93D10C42102E7B7289D29CC0C9AE2EFBC7C0CFF9172F3B027E4FC027E1546DE4"
    "B6AA3ABB3E66CCCB5DD6C64B8383149CB8E6FF182D944FE57B65BC99D005"
)
# The DER SEQUENCE header 30 82 01 52 announces 0x152 content octets.
assert len(DER) == 4 + 0x152, len(DER)
V["mpart01"] = (
    crlf(
        "MESSAGE sip:kumiko@example.org SIP/2.0\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-;rport\n"
        "Max-Forwards: 70\n"
        "Route: <sip:127.0.0.1:5080>\n"
        "Identity: r5mwreLuyDRYBi/0TiPwEsY3rEVsk/G2WxhgTV1PF7hHuLIK0YWVKZhKv9Mj8UeXqkMVbnVq37CD+813gvYjcBUaZngQmXc9WNZSDNGCzA+fWl9MEUHWIZo1CeJebdY/XlgKeTa0Olvq0rt70Q5jiSfbqMJmQFteeivUhkMWYUA=\n"
        "Contact: <sip:fluffy@127.0.0.1:5070>\n"
        "To: <sip:kumiko@example.org>\n"
        "From: <sip:fluffy@example.com>;tag=2fb0dcc9\n"
        "Call-ID: 3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..\n"
        "CSeq: 1 MESSAGE\n"
        "Content-Transfer-Encoding: binary\n"
        "Content-Type: multipart/mixed;boundary=7a9cbec02ceef655\n"
        "Date: Sat, 15 Oct 2005 04:44:56 GMT\n"
        "User-Agent: SIPimp.org/0.2.5 (curses)\n"
        "Content-Length: 553\n"
        "\n"
        "--7a9cbec02ceef655\n"
        "Content-Type: text/plain\n"
        "Content-Transfer-Encoding: binary\n"
        "\n"
        "Hello\n"
        "--7a9cbec02ceef655\n"
        "Content-Type: application/octet-stream\n"
        "Content-Transfer-Encoding: binary\n"
        "\n"
    )
    + DER
    + crlf("\n--7a9cbec02ceef655--\n")
)
CL_MUST_MATCH.add("mpart01")

# 3.1.1.12 Unusual Reason Phrase (UTF-8)
V["unreason"] = crlf(
    "SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять - простое\n"
    "Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923\n"
    "Call-ID: unreason.1234ksdfak3j2erwedfsASdf\n"
    "CSeq: 35 INVITE\n"
    "From: sip:user@example.com;tag=11141343\n"
    "To: sip:user@example.edu;tag=2229\n"
    "Content-Length: 154\n"
    "Content-Type: application/sdp\n"
    "Contact: <sip:user@host198.example.com>\n"
    "\n" + sdp("192.0.2.198")
)
CL_MUST_MATCH.add("unreason")

# 3.1.1.13 Empty Reason Phrase (note the SP after the code)
V["noreason"] = crlf(
    "SIP/2.0 100 \n"
    "Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\n"
    "Call-ID: noreason.asndj203insdf99223ndf\n"
    "CSeq: 35 INVITE\n"
    "From: <sip:user@example.com>;tag=39ansfi3\n"
    "To: <sip:user@example.edu>;tag=902jndnke3\n"
    "Content-Length: 0\n"
    "Contact: <sip:user@host105.example.com>\n"
    "\n"
)
CL_MUST_MATCH.add("noreason")

# --------------------------------------------------------------------------
# RFC 4475 3.1.2 Invalid Messages
# --------------------------------------------------------------------------

# 3.1.2.1 Extraneous Header Field Separators
V["badinv01"] = crlf(
    "INVITE sip:user@example.com SIP/2.0\n"
    "To: sip:j.user@example.com\n"
    "From: sip:caller@example.net;tag=134161461246\n"
    "Max-Forwards: 7\n"
    "Call-ID: badinv01.0ha0isndaksdjasdf3234nas\n"
    "CSeq: 8 INVITE\n"
    "Via: SIP/2.0/UDP 192.0.2.15;;,;,,\n"
    'Contact: "Joe" <sip:joe@example.org>;;;;\n'
    "Content-Length: 152\n"
    "Content-Type: application/sdp\n"
    "\n" + sdp("192.0.2.15")
)
CL_MUST_MATCH.add("badinv01")

# 3.1.2.2 Content Length Larger Than Message
V["clerr"] = crlf(
    "INVITE sip:user@example.com SIP/2.0\n"
    "Max-Forwards: 80\n"
    "To: sip:j.user@example.com\n"
    "From: sip:caller@example.net;tag=93942939o2\n"
    "Contact: <sip:caller@hungry.example.net>\n"
    "Call-ID: clerr.0ha0isndaksdjweiafasdk3\n"
    "CSeq: 8 INVITE\n"
    "Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523\n"
    "Content-Type: application/sdp\n"
    "Content-Length: 9999\n"
    "\n" + sdp("192.0.2.155")
)

# 3.1.2.3 Negative Content-Length
V["ncl"] = crlf(
    "INVITE sip:user@example.com SIP/2.0\n"
    "Max-Forwards: 254\n"
    "To: sip:j.user@example.com\n"
    "From: sip:caller@example.net;tag=32394234\n"
    "Call-ID: ncl.0ha0isndaksdj2193423r542w35\n"
    "CSeq: 0 INVITE\n"
    "Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw\n"
    "Contact: <sip:caller@example53.example.net>\n"
    "Content-Type: application/sdp\n"
    "Content-Length: -999\n"
    "\n" + sdp("192.0.2.53")
)

# 3.1.2.4 Request Scalar Fields with Overlarge Values
V["scalar02"] = crlf(
    "REGISTER sip:example.com SIP/2.0\n"
    "Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3\n"
    "To: <sip:user@example.com>\n"
    "From: <sip:user@example.com>;tag=239232jh3\n"
    "CSeq: 36893488147419103232 REGISTER\n"
    "Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32\n"
    "Max-Forwards: 300\n"
    "Expires: 1" + "0" * 100 + "\n"
    "Contact: <sip:user@host129.example.com>\n"
    "  ;expires=280297596632815\n"
    "Content-Length: 0\n"
    "\n"
)

# 3.1.2.5 Response Scalar Fields with Overlarge Values
V["scalarlg"] = crlf(
    "SIP/2.0 503 Service Unavailable\n"
    "Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bKzzxdiwo34sw;received=192.0.2.129\n"
    "To: <sip:user@example.com>\n"
    "From: <sip:other@example.net>;tag=2easdjfejw\n"
    "CSeq: 9292394834772304023312 OPTIONS\n"
    "Call-ID: scalarlg.noase0of0234hn2qofoaf0232aewf2394r\n"
    "Retry-After: 949302838503028349304023988\n"
    'Warning: 1812 overture "In Progress"\n'
    "Content-Length: 0\n"
    "\n"
)

# 3.1.2.6 Unterminated Quoted String in Display Name
V["quotbal"] = crlf(
    "INVITE sip:user@example.com SIP/2.0\n"
    'To: "Mr. J. User <sip:j.user@example.com>\n'
    "From: sip:caller@example.net;tag=93334\n"
    "Max-Forwards: 10\n"
    "Call-ID: quotbal.aksdj\n"
    "Contact: <sip:caller@host59.example.net>\n"
    "CSeq: 8 INVITE\n"
    "Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234\n"
    "Content-Type: application/sdp\n"
    "Content-Length: 152\n"
    "\n" + sdp("192.0.2.15")
)
CL_MUST_MATCH.add("quotbal")

# 3.1.2.7 <> Enclosing Request-URI
V["ltgtruri"] = crlf(
    "INVITE <sip:user@example.com> SIP/2.0\n"
    "To: sip:user@example.com\n"
    "From: sip:caller@example.net;tag=39291\n"
    "Max-Forwards: 23\n"
    "Call-ID: ltgtruri.1@192.0.2.5\n"
    "CSeq: 1 INVITE\n"
    "Via: SIP/2.0/UDP 192.0.2.5\n"
    "Contact: <sip:caller@host5.example.net>\n"
    "Content-Type: application/sdp\n"
    "Content-Length: 159\n"
    "\n" + sdp("192.0.2.5", t="3149328700 0")
)
CL_MUST_MATCH.add("ltgtruri")

# 3.1.2.8 Malformed SIP Request-URI (embedded LWS)
V["lwsruri"] = crlf(
    "INVITE sip:user@example.com; lr SIP/2.0\n"
    "To: sip:user@example.com;tag=3xfe-9921883-z9f\n"
    "From: sip:caller@example.net;tag=231413434\n"
    "Max-Forwards: 5\n"
    "Call-ID: lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423\n"
    "CSeq: 2130706432 INVITE\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKkdjuw2395\n"
    "Contact: <sip:caller@host1.example.net>\n"
    "Content-Type: application/sdp\n"
    "Content-Length: 159\n"
    "\n" + sdp("192.0.2.1", t="3149328700 0")
)
CL_MUST_MATCH.add("lwsruri")

# 3.1.2.9 Multiple SP Separating Request-Line Elements
V["lwsstart"] = crlf(
    "INVITE  sip:user@example.com  SIP/2.0\n"
    "Max-Forwards: 8\n"
    "To: sip:user@example.com\n"
    "From: sip:caller@example.net;tag=8814\n"
    "Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com\n"
    "CSeq: 1893884 INVITE\n"
    "Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw3923\n"
    "Contact: <sip:caller@host1.example.net>\n"
    "Content-Type: application/sdp\n"
    "Content-Length: 150\n"
    "\n" + sdp("192.0.2.1")
)
CL_MUST_MATCH.add("lwsstart")

# 3.1.2.10 SP Characters at End of Request-Line
V["trws"] = crlf(
    "OPTIONS sip:remote-target@example.com SIP/2.0  \n"
    "Via: SIP/2.0/TCP host1.examle.com;branch=z9hG4bK299342093\n"
    "To: <sip:remote-target@example.com>\n"
    "From: <sip:local-resource@example.com>;tag=329429089\n"
    "Call-ID: trws.oicu34958239neffasdhr2345r\n"
    "Accept: application/sdp\n"
    "CSeq: 238923 OPTIONS\n"
    "Max-Forwards: 70\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("trws")

# 3.1.2.11 Escaped Headers in SIP Request-URI
V["escruri"] = crlf(
    "INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0\n"
    "To: sip:user@example.com\n"
    "From: sip:caller@example.net;tag=341518\n"
    "Max-Forwards: 7\n"
    "Contact: <sip:caller@host39923.example.net>\n"
    "Call-ID: escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5\n"
    "CSeq: 149209342 INVITE\n"
    "Via: SIP/2.0/UDP host-of-the-hour.example.com;branch=z9hG4bKkdjuw\n"
    "Content-Type: application/sdp\n"
    "Content-Length: 150\n"
    "\n" + sdp("192.0.2.1")
)
CL_MUST_MATCH.add("escruri")

# 3.1.2.12 Invalid Time Zone in Date Header Field
V["baddate"] = crlf(
    "INVITE sip:user@example.com SIP/2.0\n"
    "To: sip:user@example.com\n"
    "From: sip:caller@example.net;tag=2234923\n"
    "Max-Forwards: 70\n"
    "Call-ID: baddate.239423mnsadf3j23lj42--sedfnm234\n"
    "CSeq: 1392934 INVITE\n"
    "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw\n"
    "Date: Fri, 01 Jan 2010 16:00:00 EST\n"
    "Contact: <sip:caller@host5.example.net>\n"
    "Content-Type: application/sdp\n"
    "Content-Length: 150\n"
    "\n" + sdp("192.0.2.5")
)
CL_MUST_MATCH.add("baddate")

# 3.1.2.13 Failure to Enclose name-addr URI in <>
V["regbadct"] = crlf(
    "REGISTER sip:example.com SIP/2.0\n"
    "To: sip:user@example.com\n"
    "From: sip:user@example.com;tag=998332\n"
    "Max-Forwards: 70\n"
    "Call-ID: regbadct.k345asrl3fdbv@10.0.0.1\n"
    "CSeq: 1 REGISTER\n"
    "Via: SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw\n"
    "Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("regbadct")

# 3.1.2.14 Spaces within addr-spec
V["badaspec"] = crlf(
    "OPTIONS sip:user@example.org SIP/2.0\n"
    "Via: SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234\n"
    "Max-Forwards: 70\n"
    'From: "Bell, Alexander" <sip:a.g.bell@example.com>;tag=433423\n'
    'To: "Watson, Thomas" < sip:t.watson@example.org >\n'
    "Call-ID: badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3\n"
    "Accept: application/sdp\n"
    "CSeq: 3923239 OPTIONS\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("badaspec")

# 3.1.2.15 Non-token Characters in Display Name.  The RFC's archived file
# has no empty line after the last header field: reproduced as is.
V["baddn"] = crlf(
    "OPTIONS sip:t.watson@example.org SIP/2.0\n"
    "Via:     SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw\n"
    "Max-Forwards:      70\n"
    "From:    Bell, Alexander <sip:a.g.bell@example.com>;tag=43\n"
    "To:      Watson, Thomas <sip:t.watson@example.org>\n"
    "Call-ID: baddn.31415@c.example.com\n"
    "Accept: application/sdp\n"
    "CSeq:    3923239 OPTIONS\n"
    "l: 0\n"
)

# 3.1.2.16 Unknown Protocol Version
V["badvers"] = crlf(
    "OPTIONS sip:t.watson@example.org SIP/7.0\n"
    "Via:     SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw\n"
    "Max-Forwards:     70\n"
    "From:    A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe\n"
    "To:      T. Watson <sip:t.watson@example.org>\n"
    "Call-ID: badvers.31417@c.example.com\n"
    "CSeq:    1 OPTIONS\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("badvers")

# 3.1.2.17 Start Line and CSeq Method Mismatch
V["mismatch01"] = crlf(
    "OPTIONS sip:user@example.com SIP/2.0\n"
    "To: sip:j.user@example.com\n"
    "From: sip:caller@example.net;tag=34525\n"
    "Max-Forwards: 6\n"
    "Call-ID: mismatch01.dj0234sxdfl3\n"
    "CSeq: 8 INVITE\n"
    "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("mismatch01")

# 3.1.2.18 Unknown Method with CSeq Method Mismatch
V["mismatch02"] = crlf(
    "NEWMETHOD sip:user@example.com SIP/2.0\n"
    "To: sip:j.user@example.com\n"
    "From: sip:caller@example.net;tag=34525\n"
    "Max-Forwards: 6\n"
    "Call-ID: mismatch02.dj0234sxdfl3\n"
    "CSeq: 8 INVITE\n"
    "Contact: <sip:caller@host.example.net>\n"
    "Via: SIP/2.0/UDP host.example.net;branch=z9hG4bKkdjuw\n"
    "Content-Type: application/sdp\n"
    "l: 138\n"
    "\n"
    "v=0\n"
    "o=mhandley 29739 7272939 IN IP4 192.0.2.1\n"
    "c=IN IP4 192.0.2.1\n"
    "m=audio 49217 RTP/AVP 0 12\n"
    "m=video 3227 RTP/AVP 31\n"
    "a=rtpmap:31 LPC\n"
)
CL_MUST_MATCH.add("mismatch02")

# 3.1.2.19 Overlarge Response Code
V["bigcode"] = crlf(
    "SIP/2.0 4294967301 better not break the receiver\n"
    "Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\n"
    "Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i\n"
    "CSeq: 353494 INVITE\n"
    "From: <sip:user@example.com>;tag=39ansfi3\n"
    "To: <sip:user@example.edu>;tag=902jndnke3\n"
    "Content-Length: 0\n"
    "Contact: <sip:user@host105.example.com>\n"
    "\n"
)
CL_MUST_MATCH.add("bigcode")

# --------------------------------------------------------------------------
# RFC 4475 3.2 Transaction Layer Semantics
# --------------------------------------------------------------------------

# 3.2.1 Missing Transaction Identifier
V["badbranch"] = crlf(
    "OPTIONS sip:user@example.com SIP/2.0\n"
    "To: sip:user@example.com\n"
    "From: sip:caller@example.org;tag=33242\n"
    "Max-Forwards: 3\n"
    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK\n"
    "Accept: application/sdp\n"
    "Call-ID: badbranch.sadonfo23i420jv0as0derf3j3n\n"
    "CSeq: 8 OPTIONS\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("badbranch")

# --------------------------------------------------------------------------
# RFC 4475 3.3 Application-Layer Semantics
# --------------------------------------------------------------------------

# 3.3.1 Missing Required Header Fields
V["insuf"] = crlf(
    "INVITE sip:user@example.com SIP/2.0\n"
    "CSeq: 193942 INVITE\n"
    "Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\n"
    "Content-Type: application/sdp\n"
    "l: 152\n"
    "\n" + sdp("192.0.2.95")
)
CL_MUST_MATCH.add("insuf")

# 3.3.2 Request-URI with Unknown Scheme
V["unkscm"] = crlf(
    "OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0\n"
    "To: sip:user@example.com\n"
    "From: sip:caller@example.net;tag=384\n"
    "Max-Forwards: 3\n"
    "Call-ID: unkscm.nasdfasser0q239nwsdfasdkl34\n"
    "CSeq: 3923423 OPTIONS\n"
    "Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("unkscm")

# 3.3.3 Request-URI with Known but Atypical Scheme
V["novelsc"] = crlf(
    "OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0\n"
    "To: sip:user@example.com\n"
    "From: sip:caller@example.net;tag=384\n"
    "Max-Forwards: 3\n"
    "Call-ID: novelsc.asdfasser0q239nwsdfasdkl34\n"
    "CSeq: 3923423 OPTIONS\n"
    "Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("novelsc")

# 3.3.4 Unknown URI Schemes in Header Fields
V["unksm2"] = crlf(
    "REGISTER sip:example.com SIP/2.0\n"
    "To: isbn:2983792873\n"
    "From: <http://www.example.com>;tag=3234233\n"
    "Call-ID: unksm2.daksdj@hyphenated-host.example.com\n"
    "CSeq: 234902 REGISTER\n"
    "Max-Forwards: 70\n"
    "Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw\n"
    "Contact: <name:John_Smith>\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("unksm2")

# 3.3.5 Proxy-Require and Require
V["bext01"] = crlf(
    "OPTIONS sip:user@example.com SIP/2.0\n"
    "To: sip:j_user@example.com\n"
    "From: sip:caller@example.net;tag=242etr\n"
    "Max-Forwards: 6\n"
    "Call-ID: bext01.0ha0isndaksdj\n"
    "Require: nothingSupportsThis, nothingSupportsThisEither\n"
    "Proxy-Require: noProxiesSupportThis, norDoAnyProxiesSupportThis\n"
    "CSeq: 8 OPTIONS\n"
    "Via: SIP/2.0/TLS fold-and-staple.example.com;branch=z9hG4bKkdjuw\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("bext01")

# 3.3.6 Unknown Content-Type
V["invut"] = crlf(
    "INVITE sip:user@example.com SIP/2.0\n"
    "Contact: <sip:caller@host5.example.net>\n"
    "To: sip:j.user@example.com\n"
    "From: sip:caller@example.net;tag=8392034\n"
    "Max-Forwards: 70\n"
    "Call-ID: invut.0ha0isndaksdjadsfij34n23d\n"
    "CSeq: 235448 INVITE\n"
    "Via: SIP/2.0/UDP somehost.example.com;branch=z9hG4bKkdjuw\n"
    "Content-Type: application/unknownformat\n"
    "Content-Length: 40\n"
    "\n"
    "<audio>\n"
    ' <pcmu port="443"/>\n'
    "</audio>\n"
)
CL_MUST_MATCH.add("invut")

# 3.3.7 Unknown Authorization Scheme
V["regaut01"] = crlf(
    "REGISTER sip:example.com SIP/2.0\n"
    "To: sip:j.user@example.com\n"
    "From: sip:j.user@example.com;tag=87321hj23128\n"
    "Max-Forwards: 8\n"
    "Call-ID: regaut01.0ha0isndaksdj\n"
    "CSeq: 9338 REGISTER\n"
    "Via: SIP/2.0/TCP 192.0.2.253;branch=z9hG4bKkdjuw\n"
    "Authorization: NoOneKnowsThisScheme opaque-data=here\n"
    "Content-Length:0\n"
    "\n"
)
CL_MUST_MATCH.add("regaut01")

# 3.3.8 Multiple Values in Single Value Required Fields
V["multi01"] = crlf(
    "INVITE sip:user@company.com SIP/2.0\n"
    "Contact: <sip:caller@host25.example.net>\n"
    "Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw\n"
    "Max-Forwards: 70\n"
    "CSeq: 5 INVITE\n"
    "Call-ID: multi01.98asdh@192.0.2.1\n"
    "CSeq: 59 INVITE\n"
    "Call-ID: multi01.98asdh@192.0.2.2\n"
    "From: sip:caller@example.com;tag=3413415\n"
    "To: sip:user@example.com\n"
    "To: sip:other@example.net\n"
    "From: sip:caller@example.net;tag=2923420123\n"
    "Content-Type: application/sdp\n"
    "l: 154\n"
    "Contact: <sip:caller@host36.example.net>\n"
    "Max-Forwards: 5\n"
    "\n" + sdp("192.0.2.25") + "\n"
)

# 3.3.9 Multiple Content-Length Values
V["mcl01"] = crlf(
    "OPTIONS sip:user@example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK293423\n"
    "To: sip:user@example.com\n"
    "From: sip:other@example.net;tag=3923942\n"
    "Call-ID: mcl01.fhn2323orihawfdoa3o4r52o3irsdf\n"
    "CSeq: 15932 OPTIONS\n"
    "Content-Length: 13\n"
    "Max-Forwards: 60\n"
    "Content-Length: 5\n"
    "Content-Type: text/plain\n"
    "\n"
    "There's no way to know how many octets are supposed to be here.\n"
)

# 3.3.10 200 OK Response with Broadcast Via Header Field Value
V["bcast"] = crlf(
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923\n"
    "Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23\n"
    "Call-ID: bcast.0384840201234ksdfak3j2erwedfsASdf\n"
    "CSeq: 35 INVITE\n"
    "From: sip:user@example.com;tag=11141343\n"
    "To: sip:user@example.edu;tag=2229\n"
    "Content-Length: 154\n"
    "Content-Type: application/sdp\n"
    "Contact: <sip:user@host28.example.com>\n"
    "\n" + sdp("192.0.2.198")
)
CL_MUST_MATCH.add("bcast")

# 3.3.11 Max-Forwards of Zero
V["zeromf"] = crlf(
    "OPTIONS sip:user@example.com SIP/2.0\n"
    "To: sip:user@example.com\n"
    "From: sip:caller@example.net;tag=3ghsd41\n"
    "Call-ID: zeromf.jfasdlfnm2o2l43r5u0asdfas\n"
    "CSeq: 39234321 OPTIONS\n"
    "Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw2349i\n"
    "Max-Forwards: 0\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("zeromf")

# 3.3.12 REGISTER with a Contact Header Parameter
V["cparam01"] = crlf(
    "REGISTER sip:example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw\n"
    "Max-Forwards: 70\n"
    "From: sip:watson@example.com;tag=DkfVgjkrtMwaerKKpe\n"
    "To: sip:watson@example.com\n"
    "Call-ID: cparam01.70710@saturn.example.com\n"
    "CSeq: 2 REGISTER\n"
    "Contact: sip:+19725552222@gw1.example.net;unknownparam\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("cparam01")

# 3.3.13 REGISTER with a url-parameter
V["cparam02"] = crlf(
    "REGISTER sip:example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw\n"
    "Max-Forwards: 70\n"
    "From: sip:watson@example.com;tag=838293\n"
    "To: sip:watson@example.com\n"
    "Call-ID: cparam02.70710@saturn.example.com\n"
    "CSeq: 3 REGISTER\n"
    "Contact: <sip:+19725552222@gw1.example.net;unknownparam>\n"
    "l: 0\n"
    "\n"
)
CL_MUST_MATCH.add("cparam02")

# 3.3.14 REGISTER with a URL Escaped Header
V["regescrt"] = crlf(
    "REGISTER sip:example.com SIP/2.0\n"
    "To: sip:user@example.com\n"
    "From: sip:user@example.com;tag=8\n"
    "Max-Forwards: 70\n"
    "Call-ID: regescrt.k345asrl3fdbv@192.0.2.1\n"
    "CSeq: 14398234 REGISTER\n"
    "Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw\n"
    "M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>\n"
    "L:0\n"
    "\n"
)
CL_MUST_MATCH.add("regescrt")

# 3.3.15 Unacceptable Accept Offering
V["sdp01"] = crlf(
    "INVITE sip:user@example.com SIP/2.0\n"
    "To: sip:j_user@example.com\n"
    "Contact: <sip:caller@host15.example.net>\n"
    "From: sip:caller@example.net;tag=234\n"
    "Max-Forwards: 5\n"
    "Call-ID: sdp01.ndaksdj9342dasdd\n"
    "Accept: text/nobodyKnowsThis\n"
    "CSeq: 8 INVITE\n"
    "Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw\n"
    "Content-Length: 150\n"
    "Content-Type: application/sdp\n"
    "\n" + sdp("192.0.2.5")
)
CL_MUST_MATCH.add("sdp01")

# --------------------------------------------------------------------------
# RFC 4475 3.4 Backward Compatibility
# --------------------------------------------------------------------------

# 3.4.1 INVITE with RFC 2543 Syntax (no Content-Length, no branch, no tag)
V["inv2543"] = crlf(
    "INVITE sip:UserB@example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP iftgw.example.com\n"
    "From: <sip:+13035551111@ift.client.example.net;user=phone>\n"
    "Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>\n"
    "To: sip:+16505552222@ss1.example.net;user=phone\n"
    "Call-ID: inv2543.1717@ift.client.example.com\n"
    "CSeq: 56 INVITE\n"
    "Content-Type: application/sdp\n"
    "\n"
    "v=0\n"
    "o=mhandley 29739 7272939 IN IP4 192.0.2.5\n"
    "s=-\n"
    "c=IN IP4 192.0.2.5\n"
    "t=0 0\n"
    "m=audio 49217 RTP/AVP 0\n"
)

# --------------------------------------------------------------------------
# RFC 3261 section 24: Examples
# --------------------------------------------------------------------------

# 24.1 Registration, F1 REGISTER Bob -> Registrar
V["rfc3261-24.1-f1-register"] = crlf(
    "REGISTER sip:registrar.biloxi.com SIP/2.0\n"
    "Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7\n"
    "Max-Forwards: 70\n"
    "To: Bob <sip:bob@biloxi.com>\n"
    "From: Bob <sip:bob@biloxi.com>;tag=456248\n"
    "Call-ID: 843817637684230@998sdasdh09\n"
    "CSeq: 1826 REGISTER\n"
    "Contact: <sip:bob@192.0.2.4>\n"
    "Expires: 7200\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("rfc3261-24.1-f1-register")

# 24.1 Registration, F2 200 OK Registrar -> Bob
V["rfc3261-24.1-f2-200"] = crlf(
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7\n"
    " ;received=192.0.2.4\n"
    "To: Bob <sip:bob@biloxi.com>;tag=2493k59kd\n"
    "From: Bob <sip:bob@biloxi.com>;tag=456248\n"
    "Call-ID: 843817637684230@998sdasdh09\n"
    "CSeq: 1826 REGISTER\n"
    "Contact: <sip:bob@192.0.2.4>\n"
    "Expires: 7200\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("rfc3261-24.1-f2-200")

# 24.2 Session Setup, F11 ACK Alice -> Bob
V["rfc3261-24.2-f11-ack"] = crlf(
    "ACK sip:bob@192.0.2.4 SIP/2.0\n"
    "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds9\n"
    "Max-Forwards: 70\n"
    "To: Bob <sip:bob@biloxi.com>;tag=a6c85cf\n"
    "From: Alice <sip:alice@atlanta.com>;tag=1928301774\n"
    "Call-ID: a84b4c76e66710\n"
    "CSeq: 314159 ACK\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("rfc3261-24.2-f11-ack")

# 24.2 Session Setup, F13 BYE Bob -> Alice
V["rfc3261-24.2-f13-bye"] = crlf(
    "BYE sip:alice@pc33.atlanta.com SIP/2.0\n"
    "Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10\n"
    "Max-Forwards: 70\n"
    "From: Bob <sip:bob@biloxi.com>;tag=a6c85cf\n"
    "To: Alice <sip:alice@atlanta.com>;tag=1928301774\n"
    "Call-ID: a84b4c76e66710\n"
    "CSeq: 231 BYE\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("rfc3261-24.2-f13-bye")

# 24.2 Session Setup, F14 200 OK Alice -> Bob
V["rfc3261-24.2-f14-200"] = crlf(
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10\n"
    "From: Bob <sip:bob@biloxi.com>;tag=a6c85cf\n"
    "To: Alice <sip:alice@atlanta.com>;tag=1928301774\n"
    "Call-ID: a84b4c76e66710\n"
    "CSeq: 231 BYE\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("rfc3261-24.2-f14-200")

# --------------------------------------------------------------------------
# RFC 3665 section 2.1: Successful New Registration (digest challenge)
# --------------------------------------------------------------------------

V["rfc3665-2.1-f1-register"] = crlf(
    "REGISTER sips:ss2.biloxi.example.com SIP/2.0\n"
    "Via: SIP/2.0/TLS client.biloxi.example.com:5061;branch=z9hG4bKnashds7\n"
    "Max-Forwards: 70\n"
    "From: Bob <sips:bob@biloxi.example.com>;tag=a73kszlfl\n"
    "To: Bob <sips:bob@biloxi.example.com>\n"
    "Call-ID: 1j9FpLxk3uxtm8tn@biloxi.example.com\n"
    "CSeq: 1 REGISTER\n"
    "Contact: <sips:bob@client.biloxi.example.com>\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("rfc3665-2.1-f1-register")

V["rfc3665-2.1-f2-401"] = crlf(
    "SIP/2.0 401 Unauthorized\n"
    "Via: SIP/2.0/TLS client.biloxi.example.com:5061;branch=z9hG4bKnashds7\n"
    " ;received=192.0.2.201\n"
    "From: Bob <sips:bob@biloxi.example.com>;tag=a73kszlfl\n"
    "To: Bob <sips:bob@biloxi.example.com>;tag=1410948204\n"
    "Call-ID: 1j9FpLxk3uxtm8tn@biloxi.example.com\n"
    "CSeq: 1 REGISTER\n"
    'WWW-Authenticate: Digest realm="atlanta.example.com", qop="auth",\n'
    ' nonce="ea9c8e88df84f1cec4341ae6cbe5a359",\n'
    ' opaque="", stale=FALSE, algorithm=MD5\n'
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("rfc3665-2.1-f2-401")

# F3 as printed in the RFC, including its missing comma after realm.
V["rfc3665-2.1-f3-register"] = crlf(
    "REGISTER sips:ss2.biloxi.example.com SIP/2.0\n"
    "Via: SIP/2.0/TLS client.biloxi.example.com:5061;branch=z9hG4bKnashd92\n"
    "Max-Forwards: 70\n"
    "From: Bob <sips:bob@biloxi.example.com>;tag=ja743ks76zlflH\n"
    "To: Bob <sips:bob@biloxi.example.com>\n"
    "Call-ID: 1j9FpLxk3uxtm8tn@biloxi.example.com\n"
    "CSeq: 2 REGISTER\n"
    "Contact: <sips:bob@client.biloxi.example.com>\n"
    'Authorization: Digest username="bob", realm="atlanta.example.com"\n'
    ' nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="",\n'
    ' uri="sips:ss2.biloxi.example.com",\n'
    ' response="dfe56131d1958046689d83306477ecc"\n'
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("rfc3665-2.1-f3-register")

V["rfc3665-2.1-f4-200"] = crlf(
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/TLS client.biloxi.example.com:5061;branch=z9hG4bKnashd92\n"
    " ;received=192.0.2.201\n"
    "From: Bob <sips:bob@biloxi.example.com>;tag=ja743ks76zlflH\n"
    "To: Bob <sips:bob@biloxi.example.com>;tag=37GkEhwl6\n"
    "Call-ID: 1j9FpLxk3uxtm8tn@biloxi.example.com\n"
    "CSeq: 2 REGISTER\n"
    "Contact: <sips:bob@client.biloxi.example.com>;expires=3600\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("rfc3665-2.1-f4-200")

# --------------------------------------------------------------------------
# RFC 3428 section 4: Example Messages (as printed, including the ";;"
# in F3's second Via and F4's From; the From tag of F1 differs from the later
# ones in the RFC too).  The RFC folds long Via values; the folding white
# space width is not significant.
# --------------------------------------------------------------------------

V["rfc3428-4-f1-message"] = crlf(
    "MESSAGE sip:user2@domain.com SIP/2.0\n"
    "Via: SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse\n"
    "Max-Forwards: 70\n"
    "From: sip:user1@domain.com;tag=49583\n"
    "To: sip:user2@domain.com\n"
    "Call-ID: asd88asd77a@1.2.3.4\n"
    "CSeq: 1 MESSAGE\n"
    "Content-Type: text/plain\n"
    "Content-Length: 18\n"
    "\n"
    "Watson, come here."
)
CL_MUST_MATCH.add("rfc3428-4-f1-message")

V["rfc3428-4-f2-message"] = crlf(
    "MESSAGE sip:user2@domain.com SIP/2.0\n"
    "Via: SIP/2.0/TCP proxy.domain.com;branch=z9hG4bK123dsghds\n"
    "Via: SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse;\n"
    "    received=1.2.3.4\n"
    "Max-Forwards: 69\n"
    "From: sip:user1@domain.com;tag=49394\n"
    "To: sip:user2@domain.com\n"
    "Call-ID: asd88asd77a@1.2.3.4\n"
    "CSeq: 1 MESSAGE\n"
    "Content-Type: text/plain\n"
    "Content-Length: 18\n"
    "\n"
    "Watson, come here."
)
CL_MUST_MATCH.add("rfc3428-4-f2-message")

V["rfc3428-4-f3-200"] = crlf(
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/TCP proxy.domain.com;branch=z9hG4bK123dsghds;\n"
    "    received=192.0.2.1\n"
    "Via: SIP/2.0/TCP user1pc.domain.com;;branch=z9hG4bK776sgdkse;\n"
    "    received=1.2.3.4\n"
    "From: sip:user1@domain.com;tag=49394\n"
    "To: sip:user2@domain.com;tag=ab8asdasd9\n"
    "Call-ID: asd88asd77a@1.2.3.4\n"
    "CSeq: 1 MESSAGE\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("rfc3428-4-f3-200")

V["rfc3428-4-f4-200"] = crlf(
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse;\n"
    "    received=1.2.3.4\n"
    "From: sip:user1@domain.com;;tag=49394\n"
    "To: sip:user2@domain.com;tag=ab8asdasd9\n"
    "Call-ID: asd88asd77a@1.2.3.4\n"
    "CSeq: 1 MESSAGE\n"
    "Content-Length: 0\n"
    "\n"
)
CL_MUST_MATCH.add("rfc3428-4-f4-200")


# --------------------------------------------------------------------------
# Issue #5: a small file sent as the body of a page-mode MESSAGE, the way
# Twinkle does through servers without MSRP: the file's own Content-Type, a
# Content-Disposition naming it, and the raw bytes (a 1x1 PNG, written for
# this test; it holds CR, LF and NUL octets).
# --------------------------------------------------------------------------

RED_DOT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415478da63f8cfc0000003010100f70341430000000049454e44ae426082"
)

V["twinkle-file-message"] = (
    crlf(
        "MESSAGE sip:bob@example.org SIP/2.0\n"
        "Via: SIP/2.0/TCP 192.0.2.10:5060;rport;branch=z9hG4bKtwinkle1\n"
        "Max-Forwards: 70\n"
        "To: <sip:bob@example.org>\n"
        "From: \"Alice\" <sip:alice@example.org>;tag=twnkl\n"
        "Call-ID: twinkle-file-1@192.0.2.10\n"
        "CSeq: 1 MESSAGE\n"
        "Content-Type: image/png\n"
        "Content-Disposition: attachment; filename=\"red dot.png\"\n"
        "User-Agent: Twinkle/1.10.3\n"
        f"Content-Length: {len(RED_DOT_PNG)}\n"
        "\n"
    )
    + RED_DOT_PNG
)
CL_MUST_MATCH.add("twinkle-file-message")

BINARY_BODIES = {"mpart01", "twinkle-file-message"}


def content_length_matches(data):
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, "no end of header section"
    for line in head.split(b"\r\n"):
        name, colon, value = line.partition(b":")
        if colon and name.strip().lower() in (b"content-length", b"l"):
            return int(value.strip()) == len(body)
    return False


def main():
    check = "--check" in sys.argv
    for name in sorted(CL_MUST_MATCH):
        assert content_length_matches(V[name]), f"{name}: Content-Length does not match its body"
    stale = []
    for name, data in sorted(V.items()):
        assert b"\n" not in data.replace(b"\r\n", b"") or name in BINARY_BODIES, name
        path = os.path.join(HERE, name + ".sip")
        if check:
            with open(path, "rb") as f:
                if f.read() != data:
                    stale.append(name)
        else:
            with open(path, "wb") as f:
                f.write(data)
    if stale:
        sys.exit("stale vectors (rerun generate.py): " + ", ".join(stale))
    print(f"{len(V)} vectors {'checked' if check else 'written'}")


if __name__ == "__main__":
    main()
