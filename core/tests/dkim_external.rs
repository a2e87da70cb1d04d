//! `DkimSigner::external` against the built-in signer: every DKIM case of
//! testdata/vectors-13 built again with external signers that sign with the
//! crypto crates directly (RSASSA-PKCS1-v1_5/SHA-256 over the data they are
//! given, Ed25519 over the digest they are given), not with `DkimKey`: the
//! bytes must be the vector's, byte for byte.
#![cfg(feature = "dkim")]

mod common;

use base64::Engine as _;
use mailwright::{Canonicalization, DkimAlgorithm, DkimSigner, ErrorKind};
use serde_json::Value;
use std::path::Path;

/// Signs what the external signer is given.
type Sign = Box<dyn Fn(&[u8]) -> Vec<u8> + Send + Sync>;

/// A vector's `dkim` member as an external signer.
fn external_signer(v: &Value) -> DkimSigner {
    use rsa::signature::{SignatureEncoding, Signer};
    type RsaSigner = rsa::pkcs1v15::SigningKey<rsa::sha2::Sha256>;
    let (algorithm, sign): (DkimAlgorithm, Sign) =
        if let Some(file) = v.get("key_file").and_then(Value::as_str) {
            let pem = std::fs::read_to_string(common::dkim_dir().join(file)).unwrap();
            let rsa_key = if pem.contains("BEGIN RSA PRIVATE KEY") {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                Some(rsa::PrivateKey::from_pkcs1_pem(&pem).unwrap())
            } else {
                use rsa::pkcs8::DecodePrivateKey;
                rsa::PrivateKey::from_pkcs8_pem(&pem).ok()
            };
            match rsa_key {
                Some(key) => {
                    let key = RsaSigner::new(key);
                    (
                        DkimAlgorithm::RsaSha256,
                        Box::new(move |data| key.sign(data).to_vec()),
                    )
                }
                None => {
                    use ed25519_dalek::pkcs8::DecodePrivateKey;
                    let key = ed25519_dalek::SigningKey::from_pkcs8_pem(&pem).unwrap();
                    (
                        DkimAlgorithm::Ed25519Sha256,
                        Box::new(move |digest| key.sign(digest).to_bytes().to_vec()),
                    )
                }
            }
        } else {
            let seed = base64::engine::general_purpose::STANDARD
                .decode(v["key_seed_base64"].as_str().unwrap())
                .unwrap();
            let key = ed25519_dalek::SigningKey::from_bytes(&seed.try_into().unwrap());
            (
                DkimAlgorithm::Ed25519Sha256,
                Box::new(move |digest| key.sign(digest).to_bytes().to_vec()),
            )
        };
    let mut signer = DkimSigner::external(
        v["domain"].as_str().unwrap(),
        v["selector"].as_str().unwrap(),
        algorithm,
        move |bytes| {
            if algorithm == DkimAlgorithm::Ed25519Sha256 {
                assert_eq!(bytes.len(), 32, "Ed25519 gets the SHA-256 digest");
            }
            Ok(sign(bytes))
        },
    );
    if let Some(c) = v.get("canonicalization").and_then(Value::as_str) {
        let (h, b) = Canonicalization::parse_tag(c).unwrap();
        signer = signer.canonicalization(h, b);
    }
    if let Some(t) = v.get("time").and_then(Value::as_i64) {
        signer = signer.time(t);
    }
    if let Some(x) = v.get("expires_after").and_then(Value::as_u64) {
        signer = signer.expires_after(x);
    }
    signer
}

#[test]
fn external_signers_reproduce_the_signed_vectors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/vectors-13");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let (mut signed, mut errors) = (0, 0);
    for path in &paths {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let Some(dkim) = doc["input"].get("dkim").and_then(Value::as_array) else {
            continue;
        };
        let mut unsigned = doc["input"].clone();
        unsigned.as_object_mut().unwrap().remove("dkim");
        let mut builder = common::builder_from_json(&unsigned);
        for v in dkim {
            builder = builder.dkim(external_signer(v));
        }
        let name = path.file_stem().unwrap().to_string_lossy();
        if let Some(expected) = doc.get("expected_error").and_then(Value::as_str) {
            let err = builder.build().expect_err(&name);
            assert_eq!(Some(err.kind()), ErrorKind::from_name(expected), "{name}");
            errors += 1;
            continue;
        }
        let bytes = builder
            .build()
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .to_vec();
        let eml = std::fs::read(path.with_extension("eml")).unwrap();
        assert!(
            bytes == eml,
            "{name}: the external signer's bytes differ from the vector's"
        );
        signed += 1;
    }
    assert!(
        signed >= 5 && errors >= 1,
        "{signed} signed, {errors} errors"
    );
}
