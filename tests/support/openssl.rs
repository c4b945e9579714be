//! Server certificates made with the `openssl` binary, the way admins make
//! them for Kamailio, Asterisk or Yate, into a temporary directory.
//!
//! Every function returns the PEM files Kamailio's tls module is given: a
//! chain (the server's own certificate first) and its private key.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A server's certificate chain and key, as PEM files.
pub struct ServerFiles {
    /// The server's certificate, then any intermediates.
    pub chain: PathBuf,
    /// Its private key.
    pub key: PathBuf,
    /// The certificate a client trusts: the self-signed certificate itself,
    /// or the root of the chain.
    pub trust: PathBuf,
}

/// Runs `openssl ARGS` in `dir`; panics with its stderr when it fails.
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("running openssl (apt-get install openssl): {e}"));
    assert!(
        output.status.success(),
        "openssl {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The SHA-256 fingerprint openssl prints for `cert` (`AB:CD:...`).
pub fn fingerprint(dir: &Path, cert: &Path) -> String {
    let out = openssl(
        dir,
        &["x509", "-in", path(cert), "-noout", "-fingerprint", "-sha256"],
    );
    // "sha256 Fingerprint=AB:CD:..."
    out.trim()
        .split_once('=')
        .map(|(_, pairs)| pairs.to_string())
        .unwrap_or_else(|| panic!("no fingerprint in {out:?}"))
}

/// Whether openssl reads `cert` as a CA certificate (`CA:TRUE`).
pub fn is_ca(dir: &Path, cert: &Path) -> bool {
    openssl(dir, &["x509", "-in", path(cert), "-noout", "-text"]).contains("CA:TRUE")
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `openssl req -x509`: a self-signed certificate, CA:TRUE as openssl.cnf's
/// `v3_ca` makes it, for `subject` (`/CN=...`) with `alt_names`
/// (`IP:127.0.0.1`, `DNS:sip.example.org`).
pub fn self_signed(dir: &Path, stem: &str, subject: &str, alt_names: &str) -> ServerFiles {
    let chain = dir.join(format!("{stem}.pem"));
    let key = dir.join(format!("{stem}.key"));
    let alt = format!("subjectAltName={alt_names}");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            path(&key),
            "-out",
            path(&chain),
            "-days",
            "365",
            "-subj",
            subject,
            "-addext",
            &alt,
        ],
    );
    ServerFiles {
        trust: chain.clone(),
        chain,
        key,
    }
}

/// A self-signed certificate (CA:TRUE, as `req -x509` makes it) for
/// 127.0.0.1 whose validity ended long ago: made with `openssl ca
/// -selfsign`, the only openssl 3.0 command that takes dates in the past.
pub fn expired(dir: &Path, stem: &str) -> ServerFiles {
    let chain = dir.join(format!("{stem}.pem"));
    let key = dir.join(format!("{stem}.key"));
    let request = dir.join(format!("{stem}.csr"));
    let ca_dir = dir.join(format!("{stem}-ca"));
    std::fs::create_dir_all(&ca_dir).unwrap();
    std::fs::write(ca_dir.join("index.txt"), "").unwrap();
    std::fs::write(ca_dir.join("serial"), "1000\n").unwrap();
    let config = ca_dir.join("ca.cnf");
    std::fs::write(
        &config,
        format!(
            "[ ca ]\ndefault_ca = old\n\n[ old ]\ndatabase = {dir}/index.txt\nnew_certs_dir = {dir}\n\
             serial = {dir}/serial\ndefault_md = sha256\npolicy = anything\nunique_subject = no\n\
             x509_extensions = server\n\n[ anything ]\ncommonName = supplied\n\n\
             [ server ]\nbasicConstraints = critical,CA:true\nsubjectAltName = IP:127.0.0.1\n",
            dir = ca_dir.display()
        ),
    )
    .unwrap();
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            path(&key),
            "-out",
            path(&request),
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    openssl(
        dir,
        &[
            "ca",
            "-batch",
            "-notext",
            "-config",
            path(&config),
            "-selfsign",
            "-keyfile",
            path(&key),
            "-in",
            path(&request),
            "-out",
            path(&chain),
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20210301120000Z",
        ],
    );
    ServerFiles {
        trust: chain.clone(),
        chain,
        key,
    }
}

/// A root CA (`req -x509`), an intermediate CA signed by it, and a server
/// certificate for 127.0.0.1 signed by the intermediate. `chain` holds the
/// server's certificate then the intermediate (what the server presents);
/// `trust` is the root.
pub fn chain(dir: &Path, stem: &str) -> ServerFiles {
    let file = |suffix: &str| dir.join(format!("{stem}-{suffix}"));
    let (root, root_key) = (file("root.pem"), file("root.key"));
    let (middle, middle_key, middle_csr) = (
        file("intermediate.pem"),
        file("intermediate.key"),
        file("intermediate.csr"),
    );
    let (leaf, leaf_key, leaf_csr) = (file("server.pem"), file("server.key"), file("server.csr"));
    let extensions = file("extensions.cnf");
    std::fs::write(
        &extensions,
        "[ intermediate ]\nbasicConstraints = critical,CA:true,pathlen:0\n\
         keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid\n\n\
         [ server ]\nbasicConstraints = critical,CA:false\nkeyUsage = critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            path(&root_key),
            "-out",
            path(&root),
            "-days",
            "3650",
            "-subj",
            "/O=sipchat tests/CN=Test Root CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            path(&middle_key),
            "-out",
            path(&middle_csr),
            "-subj",
            "/O=sipchat tests/CN=Test Intermediate CA",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            path(&middle_csr),
            "-CA",
            path(&root),
            "-CAkey",
            path(&root_key),
            "-CAcreateserial",
            "-days",
            "1825",
            "-extfile",
            path(&extensions),
            "-extensions",
            "intermediate",
            "-out",
            path(&middle),
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            path(&leaf_key),
            "-out",
            path(&leaf_csr),
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            path(&leaf_csr),
            "-CA",
            path(&middle),
            "-CAkey",
            path(&middle_key),
            "-CAcreateserial",
            "-days",
            "365",
            "-extfile",
            path(&extensions),
            "-extensions",
            "server",
            "-out",
            path(&leaf),
        ],
    );
    let served = file("chain.pem");
    let text = format!(
        "{}{}",
        std::fs::read_to_string(&leaf).unwrap(),
        std::fs::read_to_string(&middle).unwrap()
    );
    std::fs::write(&served, text).unwrap();
    ServerFiles {
        chain: served,
        key: leaf_key,
        trust: root,
    }
}
