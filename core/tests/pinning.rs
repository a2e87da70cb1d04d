//! A self-signed server certificate, as `openssl req -x509` makes it (CA:TRUE):
//! refused as an extra root with an error that says to pin it; accepted when
//! pinned by PEM or by SHA-256 fingerprint; a wrong pin is a TLS error.
#![cfg(feature = "net")]

use mailwright::ErrorKind;
use mailwright::smtp::{ClientOptions, SmtpClient, TlsMode};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

struct SelfSigned {
    _dir: tempfile::TempDir,
    cert: PathBuf,
    key: PathBuf,
}

fn self_signed() -> SelfSigned {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost", "-addext"])
        .arg("subjectAltName=DNS:localhost,IP:127.0.0.1")
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("the openssl command is needed for this test");
    assert!(status.status.success(), "{status:?}");
    SelfSigned {
        _dir: dir,
        cert,
        key,
    }
}

/// One connection: greeting, EHLO with STARTTLS, the TLS handshake, EHLO again, QUIT.
fn serve_once(certs: &SelfSigned) -> u16 {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&certs.cert)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(&certs.key).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let Ok((mut tcp, _)) = listener.accept() else {
            return;
        };
        tcp.set_read_timeout(Some(Duration::from_secs(10))).ok();
        let mut reader = BufReader::new(tcp.try_clone().unwrap());
        let mut line = String::new();
        tcp.write_all(b"220 pin.test ESMTP\r\n").unwrap();
        reader.read_line(&mut line).unwrap(); // EHLO
        tcp.write_all(b"250-pin.test\r\n250 STARTTLS\r\n").unwrap();
        line.clear();
        reader.read_line(&mut line).unwrap(); // STARTTLS
        tcp.write_all(b"220 go ahead\r\n").unwrap();
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut reader = Vec::new();
        let mut byte = [0u8; 1];
        let mut read_line = |tls: &mut rustls::StreamOwned<_, _>| -> Option<String> {
            reader.clear();
            loop {
                match std::io::Read::read(tls, &mut byte) {
                    Ok(1) => {
                        reader.push(byte[0]);
                        if byte[0] == b'\n' {
                            return Some(String::from_utf8_lossy(&reader).into_owned());
                        }
                    }
                    _ => return None,
                }
            }
        };
        if read_line(&mut tls).is_none() {
            return; // the client refused the certificate
        }
        tls.write_all(b"250 pin.test\r\n").ok();
        if read_line(&mut tls).is_some() {
            tls.write_all(b"221 bye\r\n").ok();
        }
    });
    port
}

fn options(port: u16) -> ClientOptions {
    ClientOptions::new("127.0.0.1", port)
        .tls(TlsMode::StartTls)
        .timeout(Duration::from_secs(10))
}

#[test]
fn a_self_signed_certificate_as_a_root_is_refused_with_advice() {
    let certs = self_signed();
    let port = serve_once(&certs);
    let err = SmtpClient::connect(options(port).ca_file(&certs.cert).unwrap())
        .err()
        .expect("webpki refuses a CA certificate used as the server's own");
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");
    assert!(err.message().contains("pin"), "{err}");
}

#[test]
fn a_pinned_certificate_is_trusted_by_pem_or_fingerprint() {
    let certs = self_signed();
    let pem = std::fs::read(&certs.cert).unwrap();
    let port = serve_once(&certs);
    let mut client = SmtpClient::connect(options(port).pin_certificate_pem(&pem).unwrap()).unwrap();
    assert!(client.is_tls());
    client.quit().unwrap();

    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(&certs.cert)
        .output()
        .unwrap();
    let fingerprint = String::from_utf8(out.stdout).unwrap();
    assert!(fingerprint.contains("Fingerprint="), "{fingerprint}");
    let port = serve_once(&certs);
    let mut client = SmtpClient::connect(options(port).pin_sha256(&fingerprint).unwrap()).unwrap();
    assert!(client.is_tls());
    client.quit().unwrap();
}

#[test]
fn a_wrong_pin_is_a_tls_error() {
    let certs = self_signed();
    let port = serve_once(&certs);
    let wrong = "00".repeat(32);
    let err = SmtpClient::connect(options(port).pin_sha256(&wrong).unwrap())
        .err()
        .expect("a certificate that is not the pinned one is refused");
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");
    assert!(err.message().contains("pinned"), "{err}");
}
