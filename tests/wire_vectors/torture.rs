//! What the parser reads in single RFC 4475 torture messages: the round
//! trip of the valid ones, escapes, long and odd values, bodies, reason
//! phrases, and why the invalid ones fail.

use super::*;

#[test]
fn valid_vectors_survive_serialisation() {
    // parse -> to_bytes -> parse gives the same message (also checked by the
    // sip_message harness); here the written form must also keep the facts.
    for (name, _, expect) in VECTORS {
        if !matches!(expect, Valid | Tolerated(_)) {
            continue;
        }
        let msg = parse(name);
        let again = SipMessage::parse(&msg.to_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again, msg, "{name}");
    }
}

#[test]
fn wsinv_short_tortuous_invite() {
    let m = parse("wsinv");
    assert_eq!(m.method(), Some(Method::Invite));
    assert_eq!(
        m.request_uri(),
        Some("sip:vivekg@chair-dnrc.example.com;unknownparam")
    );
    assert_eq!(m.call_id().ok(), Some("wsinv.ndaksdj@192.0.2.1"));
    // "cseq: 0009\r\n  INVITE": folded, with a leading zero.
    assert_eq!(m.cseq().ok(), Some((9, Method::Invite)));
    assert_eq!(m.header("Max-Forwards"), Some("0068"));
    let to = m.to_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(to.uri, "sip:vivekg@chair-dnrc.example.com");
    assert_eq!(to.tag(), Some("1918181833n"), "LWS around '=' of the To tag");
    let from = m.from_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from.display_name.as_deref(), Some("J Rosenberg \\\""));
    assert_eq!(from.uri, "sip:jdrosen@example.com");
    assert_eq!(from.tag(), Some("98asjd8"), "tag on a folded continuation line");
    let vias = vias(&m);
    let got: Vec<(&str, &str, Option<&str>)> = vias
        .iter()
        .map(|v| (v.transport.as_str(), v.host.as_str(), v.branch()))
        .collect();
    assert_eq!(
        got,
        [
            ("UDP", "192.0.2.2", Some("390skdjuw")),
            ("TCP", "spindle.example.com", Some("z9hG4bK9ikj8")),
            ("UDP", "192.168.255.111", Some("z9hG4bK30239")),
        ]
    );
    assert_eq!(m.top_via().ok().as_ref(), vias.first());
    assert_eq!(m.header("Subject"), Some(""), "`s :` is an empty Subject");
    assert_eq!(
        m.header("NewFangledHeader"),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(m.header("UnknownHeaderWithUnusualValue"), Some(";;,,;;,;"));
    assert_eq!(
        m.header_list("Route"),
        ["<sip:services.example.com;lr;unknownwith=value;unknown-no-value>"]
    );
    let contacts = m.contacts().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(contacts.len(), 1);
    let c = &contacts[0];
    assert_eq!(c.display_name.as_deref(), Some("Quoted string \"\""));
    assert_eq!(c.uri, "sip:jdrosen@example.com");
    assert_eq!(c.param("newparam"), Some("newvalue"));
    assert!(c
        .params
        .iter()
        .any(|p| p.name == "secondparam" && p.value.is_none()));
    assert_eq!(c.param("q"), Some("0.33"));
    assert_eq!(m.content_type().as_deref(), Some("application/sdp"));
    assert_eq!(m.body.len(), 150);
    assert!(m.body.starts_with(b"v=0\r\n") && m.body.ends_with(b"a=rtpmap:31 LPC\r\n"));
}

#[test]
fn intmeth_wide_range_of_valid_characters() {
    const METHOD: &str = "!interesting-Method0123456789_*+`.%indeed'~";
    let m = parse("intmeth");
    assert_eq!(m.method(), Some(Method::Other(METHOD.into())));
    assert_eq!(m.cseq().ok(), Some((139_122_385, Method::Other(METHOD.into()))));
    assert_eq!(
        m.request_uri(),
        Some(
            "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.\
             (doesn't-it)@example.com"
        )
    );
    assert_eq!(
        m.top_via().ok().as_ref().and_then(Via::branch),
        Some("z9hG4bK-.!%66*_+`'~")
    );
    let to = m.to_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(to.display_name.as_deref(), Some("BEL:\u{7} NUL:\0 DEL:\u{7f}"));
    assert_eq!(
        to.uri,
        "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com"
    );
    let from = m.from_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        from.display_name.as_deref(),
        Some("token1~` token2'+_ token3*%!.-")
    );
    assert_eq!(from.uri, "sip:mundane@example.com");
    assert_eq!(from.tag(), Some("_token~1'+`*%!-."));
    let odd = from
        .params
        .iter()
        .find(|p| p.name == "fromParam''~+*_!.-%")
        .unwrap_or_else(|| panic!("fromParam missing: {:?}", from.params));
    assert_eq!(odd.unquoted_value().as_deref(), Some("работающий"));
    assert_eq!(
        m.call_id().ok(),
        Some("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
    );
    assert_eq!(m.header("Max-Forwards"), Some("255"));
    assert_eq!(m.header("extensionHeader-!.%*+_`'~"), Some("\u{feff}大停電"));
    assert!(m.body.is_empty());
}

#[test]
fn intmeth_uris_parse_as_sip_uris() {
    let m = parse("intmeth");
    let ruri = sip_uri(m.request_uri().unwrap_or_default());
    assert_eq!(
        ruri.user.as_deref(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(
        ruri.password.as_deref(),
        Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    );
    assert_eq!(ruri.host, "example.com");
    assert_eq!(ruri.headers, None);
    let to = m.to_header().unwrap_or_else(|e| panic!("{e}"));
    let to_uri = to.sip_uri().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        to_uri.user.as_deref(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(to_uri.host, "example.com");
}

#[test]
fn esc01_percent_escapes_are_kept_as_received() {
    let m = parse("esc01");
    let ruri = sip_uri(m.request_uri().unwrap_or_default());
    assert_eq!(ruri.user.as_deref(), Some("sips%3Auser%40example.com"));
    assert_eq!(ruri.host, "example.net");
    let to = m.to_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(to.uri, "sip:%75se%72@example.com");
    let from = m.from_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from.uri, "sip:I%20have%20spaces@example.net");
    assert_eq!(from.tag(), Some("938"));
    assert_eq!(
        m.call_id().ok(),
        Some("esc01.239409asdfakjkn23onasd0-3234"),
        "compact i:"
    );
    assert_eq!(m.content_type().as_deref(), Some("application/sdp"), "compact C:");
    let contacts = m.contacts().unwrap_or_else(|e| panic!("{e}"));
    let contact = sip_uri(&contacts[0].uri);
    assert_eq!(contact.user.as_deref(), Some("cal%6Cer"));
    assert_eq!(contact.host, "host5.example.net");
    let params: Vec<(&str, Option<&str>)> = contact
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_deref()))
        .collect();
    assert_eq!(params, [("%6C%72", None), ("n%61me", Some("v%61lue%25%34%31"))]);
    assert_eq!(m.body.len(), 150);
}

#[test]
fn escnull_escaped_nulls_stay_escaped() {
    let m = parse("escnull");
    assert_eq!(m.method(), Some(Method::Register));
    let to = m.to_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sip_uri(&to.uri).user.as_deref(), Some("null-%00-null"));
    let contacts: Vec<String> = m
        .contacts()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|c| c.uri)
        .collect();
    assert_eq!(
        contacts,
        ["sip:%00@host5.example.com", "sip:%00%00@host5.example.com"]
    );
    assert!(!m.to_bytes().contains(&0), "no raw NUL is written back");
}

#[test]
fn esc02_percent_is_not_an_escape_outside_uris() {
    let m = parse("esc02");
    assert_eq!(m.method(), Some(Method::Other("RE%47IST%45R".into())));
    assert_ne!(m.method(), Some(Method::Register));
    assert_eq!(m.cseq().ok(), Some((29344, Method::Other("RE%47IST%45R".into()))));
    let to = m.to_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(to.display_name.as_deref(), Some("%Z%45"));
    let contacts: Vec<String> = m
        .contacts()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|c| c.uri)
        .collect();
    assert_eq!(
        contacts,
        ["sip:alias1@host1.example.com", "sip:alias3@host3.example.com"]
    );
    assert_eq!(m.header("C%6Fntact"), Some("<sip:alias2@host2.example.com>"));
    assert_eq!(
        m.top_via().ok().as_ref().and_then(Via::branch),
        Some("z9hG4bK209%fzsnel234")
    );
}

#[test]
fn lwsdisp_display_name_without_space() {
    let from = parse("lwsdisp").from_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from.display_name.as_deref(), Some("caller"));
    assert_eq!(from.uri, "sip:caller@example.com");
    assert_eq!(from.tag(), Some("323"));
}

#[test]
fn longreq_long_values() {
    let m = parse("longreq");
    let to = m.to_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        to.display_name,
        Some(format!(
            "I have a user name of {} proportion",
            "extreme".repeat(10)
        ))
    );
    let to_uri = sip_uri(&to.uri);
    assert_eq!(to_uri.port, Some(6000));
    assert_eq!(to_uri.params.len(), 3);
    assert_eq!(to_uri.params[1].name, format!("longparam{}", "name".repeat(25)));
    let from = m.from_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from.tag(), Some(format!("12{}424", "982".repeat(50)).as_str()));
    assert_eq!(from.params.len(), 3);
    assert_eq!(
        m.call_id().ok(),
        Some(format!("longreq.one{}longcallid", "really".repeat(20)).as_str())
    );
    let vias = vias(&m);
    assert_eq!(vias.len(), 34, "Via, v, V, ViA, vIa ... all name the Via header");
    assert_eq!(vias[0].host, "sip33.example.com");
    assert_eq!(vias[32].host, "sip1.example.com");
    assert_eq!(vias[33].received(), Some("192.0.2.5"));
    assert_eq!(
        vias[33].branch(),
        Some(format!("very{}branchvalue", "long".repeat(50)).as_str())
    );
    let long_name = format!("Unknown-{}-Name", "Long".repeat(20));
    assert!(m
        .header(&long_name)
        .is_some_and(|v| v.ends_with("-parameter-value")));
    assert_eq!(m.body.len(), 150);
}

#[test]
fn dblreq_trailing_octets_are_ignored() {
    let m = parse("dblreq");
    assert_eq!(m.method(), Some(Method::Register));
    assert_eq!(m.call_id().ok(), Some("dblreq.0ha0isndaksdj99sdfafnl3lk233412"));
    assert!(m.body.is_empty(), "Content-Length: 0 ends the datagram's message");
    assert_eq!(m.header_lines("To").count(), 1);
    assert!(!String::from_utf8_lossy(&m.to_bytes()).contains("INVITE"));
}

#[test]
fn semiuri_semicolon_in_user_part() {
    let m = parse("semiuri");
    let ruri = sip_uri(m.request_uri().unwrap_or_default());
    assert_eq!(ruri.user.as_deref(), Some("user;par=u%40example.net"));
    assert_eq!(ruri.host, "example.com");
    assert!(ruri.params.is_empty());
    assert_eq!(m.header_list("Accept").len(), 6, "folded comma-separated Accept");
}

#[test]
fn transports_varied_and_unknown() {
    let vias = vias(&parse("transports"));
    let names: Vec<&str> = vias.iter().map(|v| v.transport.as_str()).collect();
    assert_eq!(names, ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
    let known: Vec<Option<Transport>> = vias.iter().map(Via::known_transport).collect();
    assert_eq!(
        known,
        [
            Some(Transport::Udp),
            None,
            Some(Transport::Tls),
            None,
            Some(Transport::Tcp)
        ]
    );
}

#[test]
fn mpart01_binary_body_is_framed_exactly() {
    let raw = read_vector("mpart01");
    let m = parse("mpart01");
    assert_eq!(m.method(), Some(Method::Message));
    assert_eq!(m.content_type().as_deref(), Some("multipart/mixed"));
    assert_eq!(m.body.len(), 553);
    assert!(raw.ends_with(&m.body), "binary body changed");
    assert!(m.body.contains(&0), "the DER part carries NUL octets");
    assert!(m.body.ends_with(b"--7a9cbec02ceef655--\r\n"));
    let via = m.top_via().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((via.host.as_str(), via.port), ("127.0.0.1", Some(5070)));
    assert!(via.params.iter().any(|p| p.name == "rport" && p.value.is_none()));
    assert_eq!(via.rport(), None);
}

#[test]
fn unreason_and_noreason_reason_phrases() {
    let m = parse("unreason");
    assert_eq!(m.status(), Some(200));
    assert_eq!(
        m.reason(),
        Some("= 2**3 * 5**2 но сто девяносто девять - простое")
    );
    assert_eq!(m.body.len(), 154);
    let m = parse("noreason");
    assert_eq!(m.status(), Some(100));
    assert_eq!(m.reason(), Some(""));
    assert!(
        m.to_bytes().starts_with(b"SIP/2.0 100 \r\n"),
        "SP after the code is kept"
    );
}

#[test]
fn invalid_vectors_fail_for_the_right_reason() {
    use sipchat::protocol::sip::message::MessageError as E;
    let err = |name: &str| match SipMessage::parse(&read_vector(name)) {
        Ok(_) => panic!("{name} parsed"),
        Err(e) => e,
    };
    assert!(matches!(err("clerr"), E::Truncated { declared: 9999, .. }));
    assert!(matches!(err("ncl"), E::ContentLength(v) if v == "-999"));
    assert!(matches!(err("lwsruri"), E::StartLine(_)));
    assert!(matches!(err("badvers"), E::Version(v) if v == "SIP/7.0"));
    assert!(matches!(err("bigcode"), E::StartLine(_)));
    assert!(matches!(err("mcl01"), E::ContentLength(_)));
    assert!(matches!(parse("scalar02").validate_request(), Err(E::CSeq(_))));
    assert!(matches!(parse("scalarlg").cseq(), Err(E::CSeq(_))));
    assert!(matches!(parse("mismatch01").validate_request(), Err(E::CSeq(_))));
    assert!(matches!(parse("mismatch02").validate_request(), Err(E::CSeq(_))));
    assert!(matches!(
        parse("insuf").validate_request(),
        Err(E::Missing("Call-ID"))
    ));
}

#[test]
fn tolerated_vectors_read_as_a_liberal_receiver_would() {
    let to = parse("badaspec").to_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(to.uri, "sip:t.watson@example.org", "spaces inside <> trimmed");
    assert_eq!(to.display_name.as_deref(), Some("Watson, Thomas"));
    let m = parse("baddn");
    let from = m.from_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from.display_name.as_deref(), Some("Bell, Alexander"));
    assert_eq!(from.tag(), Some("43"));
    let contact = &parse("regbadct").contacts().unwrap_or_else(|e| panic!("{e}"))[0];
    let uri = sip_uri(&contact.uri);
    assert_eq!(uri.headers.as_deref(), Some("Route=%3Csip:sip.example.com%3E"));
    assert_eq!(
        parse("escruri").request_uri(),
        Some("sip:user@example.com?Route=%3Csip:example.com%3E")
    );
    assert_eq!(parse("lwsstart").request_uri(), Some("sip:user@example.com"));
    assert_eq!(parse("trws").request_uri(), Some("sip:remote-target@example.com"));
    let via = parse("badinv01").top_via().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(via.host, "192.0.2.15");
    assert!(via.params.is_empty());
}

#[test]
fn application_layer_vectors_parse_as_the_rfc_reads_them() {
    // 3.2.1: the magic cookie alone is still a branch.
    assert_eq!(
        parse("badbranch").top_via().ok().as_ref().and_then(Via::branch),
        Some("z9hG4bK")
    );
    // 3.3.4: non-SIP URIs in To/From/Contact are kept, not rejected.
    let m = parse("unksm2");
    assert_eq!(
        m.to_header().map(|t| t.uri).ok().as_deref(),
        Some("isbn:2983792873")
    );
    assert!(m.to_header().is_ok_and(|t| t.sip_uri().is_err()));
    // 3.3.10: the broadcast Via is just a Via.
    assert_eq!(vias(&parse("bcast"))[1].host, "255.255.255.255");
    // 3.3.12/13: a parameter outside <> belongs to the header, inside to the URI.
    let c1 = &parse("cparam01").contacts().unwrap_or_else(|e| panic!("{e}"))[0];
    assert_eq!(c1.uri, "sip:+19725552222@gw1.example.net");
    assert!(c1.params.iter().any(|p| p.name == "unknownparam"));
    let c2 = &parse("cparam02").contacts().unwrap_or_else(|e| panic!("{e}"))[0];
    assert!(c2.params.is_empty());
    assert_eq!(sip_uri(&c2.uri).params[0].name, "unknownparam");
    // 3.3.14: escaped header inside <> in a compact M: Contact.
    let c = &parse("regescrt").contacts().unwrap_or_else(|e| panic!("{e}"))[0];
    assert_eq!(
        sip_uri(&c.uri).headers.as_deref(),
        Some("Route=%3Csip:sip.example.com%3E")
    );
    // 3.4.1: RFC 2543 INVITE: no Content-Length, the body is the rest.
    let m = parse("inv2543");
    assert_eq!(m.top_via().ok().as_ref().and_then(Via::branch), None);
    assert!(m.body.starts_with(b"v=0\r\n") && m.body.ends_with(b"m=audio 49217 RTP/AVP 0\r\n"));
    let to = m.to_header().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        to.param("user"),
        Some("phone"),
        "addr-spec: ;user=phone is a header param"
    );
}
