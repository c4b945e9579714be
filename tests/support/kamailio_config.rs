//! The test Kamailio's configuration: where Kamailio is installed, the
//! configuration templates and how they are filled in, free ports, the TLS
//! certificates, and the db_text databases of the presence servers. Part
//! of [`super`] (`tests/support/kamailio.rs`).

use super::*;

/// The Kamailio configuration template (placeholders `@@NAME@@`).
pub(super) const CFG_TEMPLATE: &str = include_str!("../kamailio/kamailio.cfg");
/// The tls module configuration template.
pub(super) const TLS_CFG_TEMPLATE: &str = include_str!("../kamailio/tls.cfg");

pub(super) const BIN_CANDIDATES: &[&str] = &[
    "/usr/sbin/kamailio",
    "/usr/local/sbin/kamailio",
    "/usr/bin/kamailio",
    "/usr/local/bin/kamailio",
];
pub(super) const MODULE_DIR_CANDIDATES: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/kamailio/modules",
    "/usr/lib/aarch64-linux-gnu/kamailio/modules",
    "/usr/lib/kamailio/modules",
    "/usr/lib64/kamailio/modules",
    "/usr/local/lib64/kamailio/modules",
    "/usr/local/lib/kamailio/modules",
];
/// Modules the config loads that are not in the base package everywhere.
pub(super) const REQUIRED_MODULES: &[&str] = &[
    "tm.so",
    "registrar.so",
    "auth.so",
    "nathelper.so",
    "tls.so",
    "uac.so",
];

pub(super) fn find_installation() -> Result<Installation, String> {
    let bin = match std::env::var_os("KAMAILIO_BIN") {
        Some(b) => PathBuf::from(b),
        None => {
            let in_path = std::env::var_os("PATH")
                .map(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join("kamailio"))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            in_path
                .into_iter()
                .chain(BIN_CANDIDATES.iter().map(PathBuf::from))
                .find(|p| p.is_file())
                .ok_or(
                    "no kamailio binary in PATH or /usr/sbin (apt-get install kamailio kamailio-tls-modules)",
                )?
        }
    };
    if !bin.is_file() {
        return Err(format!("{} does not exist", bin.display()));
    }
    let module_dir = match std::env::var_os("KAMAILIO_MODULES") {
        Some(d) => PathBuf::from(d),
        None => MODULE_DIR_CANDIDATES
            .iter()
            .map(PathBuf::from)
            .find(|d| d.join("tm.so").is_file())
            .ok_or_else(|| format!("no Kamailio module directory found among {MODULE_DIR_CANDIDATES:?}"))?,
    };
    for m in REQUIRED_MODULES {
        if !module_dir.join(m).is_file() {
            return Err(format!(
                "module {m} missing in {} (the tls module is in package kamailio-tls-modules)",
                module_dir.display()
            ));
        }
    }
    Ok(Installation { bin, module_dir })
}

/// Picks distinct free loopback ports: (udp, tcp, tls).
pub(super) fn pick_ports() -> std::io::Result<(u16, u16, u16)> {
    for _ in 0..20 {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        let tcp = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let tls = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let ports = (
            udp.local_addr()?.port(),
            tcp.local_addr()?.port(),
            tls.local_addr()?.port(),
        );
        if ports.0 != ports.1 && ports.0 != ports.2 && ports.1 != ports.2 {
            return Ok(ports);
        }
    }
    Err(std::io::Error::other("could not find three distinct free ports"))
}

/// Writes ca.pem, server.pem, server.key into `dir`; returns their paths.
pub(super) fn make_certs(dir: &Path) -> Result<(PathBuf, PathBuf, PathBuf), String> {
    use rcgen::{
        BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
        KeyPair, KeyUsagePurpose,
    };
    let err = |e: rcgen::Error| format!("rcgen: {e}");

    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "sipchat test CA");
    ca_params.distinguished_name = dn;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = ca_params.self_signed(&ca_key).map_err(err)?;

    let key = KeyPair::generate().map_err(err)?;
    // "127.0.0.1" becomes an IP SAN, "localhost" a DNS SAN
    let mut params = CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])
    .map_err(err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "localhost");
    params.distinguished_name = dn;
    params.is_ca = IsCa::NoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.use_authority_key_identifier_extension = true;
    let cert = params.signed_by(&key, &ca, &ca_key).map_err(err)?;

    let ca_path = dir.join("ca.pem");
    let cert_path = dir.join("server.pem");
    let key_path = dir.join("server.key");
    let write = |p: &Path, s: &str| fs::write(p, s).map_err(|e| format!("writing {}: {e}", p.display()));
    write(&ca_path, &ca.pem())?;
    // chain: server certificate followed by the CA
    write(&cert_path, &format!("{}{}", cert.pem(), ca.pem()))?;
    write(&key_path, &key.serialize_pem())?;
    Ok((ca_path, cert_path, key_path))
}

pub(super) fn fill(template: &str, vars: &[(&str, String)]) -> Result<String, String> {
    let mut out = template.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("@@{name}@@"), value);
    }
    // (comment lines may mention the placeholder syntax)
    match out
        .lines()
        .find(|l| !l.trim_start().starts_with('#') && l.contains("@@"))
    {
        Some(line) => Err(format!("unfilled placeholder in template line {line:?}")),
        None => Ok(out),
    }
}

/// The presence server's configuration template.
pub(super) const PRESENCE_CFG: &str = include_str!("../kamailio/presence.cfg");
/// The presence server with pres-rules and XCAP.
pub(super) const PRESENCE_RULES_CFG: &str = include_str!("../kamailio/presence_rules.cfg");
/// Where Debian's Kamailio keeps the db_text tables to start from.
pub(super) const DBTEXT_SCHEMA_DIRS: &[&str] = &[
    "/usr/share/kamailio/dbtext/kamailio",
    "/usr/local/share/kamailio/dbtext/kamailio",
];
/// The tables presence and presence_xml use.
pub(super) const PRESENCE_TABLES: &[&str] = &[
    "version",
    "presentity",
    "active_watchers",
    "watchers",
    "xcap",
    "pua",
    // (rls, in the presence server with rules and lists)
    "rls_presentity",
    "rls_watchers",
];

/// Makes `d/db` from Kamailio's own db_text tables.
pub(super) fn presence_database(d: &Path) -> Result<(), String> {
    let schema = DBTEXT_SCHEMA_DIRS
        .iter()
        .map(Path::new)
        .find(|p| p.join("presentity").is_file())
        .ok_or("Kamailio's db_text tables are not installed (kamailio-presence-modules and its data)")?;
    let db = d.join("db");
    fs::create_dir_all(&db).map_err(|e| format!("creating {}: {e}", db.display()))?;
    for table in PRESENCE_TABLES {
        fs::copy(schema.join(table), db.join(table))
            .map_err(|e| format!("copying the {table} table: {e}"))?;
    }
    Ok(())
}

/// [`presence_database`] and the subscriber table with [`USERS`]
/// (plain passwords; the server computes HA1).
pub(super) fn presence_rules_database(d: &Path) -> Result<(), String> {
    presence_database(d)?;
    let schema = DBTEXT_SCHEMA_DIRS
        .iter()
        .map(Path::new)
        .find(|p| p.join("subscriber").is_file())
        .ok_or("Kamailio's db_text subscriber table is not installed")?;
    let mut table = fs::read_to_string(schema.join("subscriber"))
        .map_err(|e| format!("reading the subscriber table: {e}"))?;
    for (n, (user, password)) in USERS.iter().enumerate() {
        // (ha1 and ha1b may not be empty in db_text; calculate_ha1 ignores them)
        table.push_str(&format!("{}:{user}:{DOMAIN}:{password}:unused:unused\n", n + 1));
    }
    fs::write(d.join("db").join("subscriber"), table)
        .map_err(|e| format!("writing the subscriber table: {e}"))
}
