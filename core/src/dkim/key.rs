//! `DkimKey`: the built-in signer's private keys (RustCrypto `rsa` and
//! `ed25519-dalek`), only with the `dkim` feature.

use super::DkimAlgorithm;
use crate::error::{Error, ErrorKind, Result};
use base64::Engine as _;
use rsa::sha2::Sha256;
use std::fmt;
use zeroize::Zeroizing;

enum KeyPair {
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// A DKIM private key. It is a secret: its memory is zeroized on drop, and
/// it shows in `Debug` and in errors only as its algorithm (and size).
///
/// Share one key between many messages with an [`Arc`](std::sync::Arc) (a [`DkimSigner`](super::DkimSigner)
/// holds one).
pub struct DkimKey {
    pair: KeyPair,
}

impl fmt::Debug for DkimKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("DkimKey");
        d.field("algorithm", &self.algorithm());
        if let KeyPair::Rsa(key) = &self.pair {
            d.field("bits", &rsa_bits(key));
        }
        d.finish_non_exhaustive()
    }
}

fn rsa_bits(key: &rsa::pkcs1v15::SigningKey<Sha256>) -> usize {
    use rsa::traits::PublicKeyParts;
    key.as_ref().size() * 8
}

fn key_error(why: &str) -> Error {
    Error::new(ErrorKind::InvalidDkimKey, why.to_string())
}

impl DkimKey {
    /// Reads a PEM private key: `BEGIN PRIVATE KEY` (PKCS#8, RSA or Ed25519)
    /// or `BEGIN RSA PRIVATE KEY` (PKCS#1). Encrypted keys are refused.
    /// RSA keys must have 1024 to 4096 bits (2048 recommended).
    pub fn from_pem(pem: &str) -> Result<DkimKey> {
        let pem = pem.trim();
        let label = pem
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .trim_start_matches("-----BEGIN ")
            .trim_end_matches("-----");
        match label {
            "RSA PRIVATE KEY" => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                let key = rsa::PrivateKey::from_pkcs1_pem(pem)
                    .map_err(|_| key_error("not a readable PKCS#1 RSA private key"))?;
                DkimKey::rsa(key)
            }
            "PRIVATE KEY" => {
                use rsa::pkcs8::DecodePrivateKey;
                if let Ok(key) = rsa::PrivateKey::from_pkcs8_pem(pem) {
                    return DkimKey::rsa(key);
                }
                let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
                    .map_err(|_| key_error("not a readable PKCS#8 private key (RSA or Ed25519)"))?;
                Ok(DkimKey {
                    pair: KeyPair::Ed25519(Box::new(key)),
                })
            }
            "ENCRYPTED PRIVATE KEY" => Err(key_error(
                "encrypted PKCS#8 keys are not supported; decrypt the key first",
            )),
            _ => Err(key_error(
                "not a PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)",
            )),
        }
    }

    /// An Ed25519 key from its 32-byte seed (the raw private key).
    pub fn ed25519_from_seed(seed: &[u8]) -> Result<DkimKey> {
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            seed.try_into()
                .map_err(|_| key_error("an Ed25519 seed is 32 bytes"))?,
        );
        Ok(DkimKey {
            pair: KeyPair::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed))),
        })
    }

    fn rsa(key: rsa::PrivateKey) -> Result<DkimKey> {
        let key = rsa::pkcs1v15::SigningKey::<Sha256>::new(key);
        super::check_rsa_bits(rsa_bits(&key) as u64)?;
        Ok(DkimKey {
            pair: KeyPair::Rsa(Box::new(key)),
        })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> DkimAlgorithm {
        match self.pair {
            KeyPair::Rsa(_) => DkimAlgorithm::RsaSha256,
            KeyPair::Ed25519(_) => DkimAlgorithm::Ed25519Sha256,
        }
    }

    /// The public key's DNS TXT record, published at
    /// `<selector>._domainkey.<domain>`: `v=DKIM1; k=rsa; p=...` (the
    /// SubjectPublicKeyInfo) or `v=DKIM1; k=ed25519; p=...` (the 32 bytes).
    pub fn dns_record(&self) -> String {
        let b64 = &base64::engine::general_purpose::STANDARD;
        match &self.pair {
            KeyPair::Rsa(key) => {
                use rsa::pkcs8::EncodePublicKey;
                let private: &rsa::PrivateKey = (**key).as_ref();
                let public = rsa::PublicKey::from(private);
                let der = public
                    .to_public_key_der()
                    .map(|d| b64.encode(d.as_bytes()))
                    .unwrap_or_default();
                format!("v=DKIM1; k=rsa; p={der}")
            }
            KeyPair::Ed25519(key) => format!(
                "v=DKIM1; k=ed25519; p={}",
                b64.encode(key.verifying_key().as_bytes())
            ),
        }
    }

    /// Signs the SHA-256 hash of the canonical headers.
    pub(super) fn sign(&self, hash: &[u8; 32]) -> Result<Vec<u8>> {
        match &self.pair {
            KeyPair::Rsa(key) => {
                use rsa::signature::{SignatureEncoding, hazmat::PrehashSigner};
                key.sign_prehash(hash)
                    .map(|s| s.to_vec())
                    .map_err(|_| key_error("RSA signing failed"))
            }
            // RFC 8463: Ed25519 signs the SHA-256 hash, not the data.
            KeyPair::Ed25519(key) => {
                use ed25519_dalek::Signer;
                Ok(key.sign(hash).to_bytes().to_vec())
            }
        }
    }
}
