use sipchat::protocol::sip::message::SipMessage;
#[test]
fn probe() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sip"))
        .collect();
    names.sort();
    for p in names {
        let b = std::fs::read(&p).unwrap();
        let n = p.file_stem().unwrap().to_string_lossy().to_string();
        match SipMessage::parse(&b) {
            Err(e) => println!("{n}: REJECT {e}"),
            Ok(m) => {
                let v = if m.is_request() {
                    format!("{:?}", m.validate_request())
                } else {
                    "resp".into()
                };
                println!(
                    "{n}: OK {:?} validate={v} via={:?} from={:?} to={:?} contacts={:?} body={}",
                    m.start,
                    m.top_via().map(|v| v.to_string()),
                    m.from_header().map(|f| f.to_string()),
                    m.to_header().map(|f| f.to_string()),
                    m.contacts().map(|c| c.len()),
                    m.body.len()
                );
            }
        }
    }
}
