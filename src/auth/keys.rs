//! The token key: an HS256 secret (configured, or generated for development and kept with mode 0600 in the data
//! directory), or an RS256/ES256 key pair from PEM files (the private key only where tokens are minted). With a JWKS
//! URL ([`super::jwks`]) only the private key is read here, to mint.

use std::path::{Path, PathBuf};

use jsonwebtoken::{
    jwk::{Jwk, ThumbprintHash},
    Algorithm, DecodingKey, EncodingKey,
};
use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no token key configured: set LGSP_JWT_SECRET or jwt_public_key_file (production mode generates none)")]
    Missing,
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the development secret {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not an RSA or EC (P-256) key in PEM form")]
    Pem { path: PathBuf },
    #[error("the JWT secret must be at least 32 bytes")]
    ShortSecret,
    #[error("this hub has no signing key (only a public key is configured)")]
    NoSigningKey,
    #[error(
        "tokens are verified against a JWKS URL: minting needs jwt_private_key_file, the private half of a key the JWKS serves"
    )]
    NoJwksSigningKey,
    #[error("cannot sign the token")]
    Sign,
}

/// Where the key comes from. (`Debug` shows no secret.)
#[derive(Debug, Clone, Default)]
pub struct KeyConfig {
    pub secret: Option<SecretString>,
    pub public_key_file: Option<PathBuf>,
    pub private_key_file: Option<PathBuf>,
    /// The identity provider's JWKS: when set, it alone verifies tokens.
    pub jwks_url: Option<String>,
    /// Production mode: no generated development secret.
    pub production: bool,
    /// Where a development secret is kept.
    pub data_dir: PathBuf,
}

pub struct Keys {
    algorithm: Algorithm,
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
}

impl Keys {
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }

    pub fn encoding(&self) -> Option<&EncodingKey> {
        self.encoding.as_ref()
    }

    fn hs256(secret: &[u8]) -> Result<Keys, KeyError> {
        if secret.len() < 32 {
            return Err(KeyError::ShortSecret);
        }
        Ok(Keys {
            algorithm: Algorithm::HS256,
            decoding: DecodingKey::from_secret(secret),
            encoding: Some(EncodingKey::from_secret(secret)),
        })
    }

    /// Loads the configured key. Returns the keys and, when a development secret was generated, its path.
    pub fn load(config: &KeyConfig) -> Result<(Keys, Option<PathBuf>), KeyError> {
        if let Some(path) = &config.public_key_file {
            let pem = read(path)?;
            let (algorithm, decoding) = if let Ok(k) = DecodingKey::from_rsa_pem(&pem) {
                (Algorithm::RS256, k)
            } else if let Ok(k) = DecodingKey::from_ec_pem(&pem) {
                (Algorithm::ES256, k)
            } else {
                return Err(KeyError::Pem { path: path.clone() });
            };
            let encoding = match &config.private_key_file {
                Some(p) => {
                    let pem = read(p)?;
                    let key = match algorithm {
                        Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem),
                        _ => EncodingKey::from_ec_pem(&pem),
                    };
                    Some(key.map_err(|_| KeyError::Pem { path: p.clone() })?)
                }
                None => None,
            };
            return Ok((
                Keys {
                    algorithm,
                    decoding,
                    encoding,
                },
                None,
            ));
        }
        if let Some(secret) = &config.secret {
            return Ok((Keys::hs256(secret.expose_secret().as_bytes())?, None));
        }
        if config.production {
            return Err(KeyError::Missing);
        }
        let path = config.data_dir.join("jwt-secret");
        let (secret, generated) = read_or_generate_secret(&path)?;
        Ok((
            Keys::hs256(secret.expose_secret().as_bytes())?,
            generated.then_some(path),
        ))
    }
}

/// A private key that mints tokens in JWKS mode, with the `kid` its tokens carry.
pub struct SigningKey {
    pub algorithm: Algorithm,
    pub key: EncodingKey,
    /// The RFC 7638 SHA-256 thumbprint of the public key: an identity provider that names keys by thumbprint serves
    /// it under this `kid`.
    pub kid: String,
}

impl SigningKey {
    /// Reads an RSA (RS256) or EC P-256 (ES256) private key in PEM form.
    pub fn load(path: &Path) -> Result<SigningKey, KeyError> {
        let pem = read(path)?;
        let pem_err = || KeyError::Pem {
            path: path.to_owned(),
        };
        let (algorithm, key) = if let Ok(k) = EncodingKey::from_rsa_pem(&pem) {
            (Algorithm::RS256, k)
        } else if let Ok(k) = EncodingKey::from_ec_pem(&pem) {
            (Algorithm::ES256, k)
        } else {
            return Err(pem_err());
        };
        let jwk = Jwk::from_encoding_key(&key, algorithm).map_err(|_| pem_err())?;
        Ok(SigningKey {
            algorithm,
            kid: jwk.thumbprint(ThumbprintHash::SHA256),
            key,
        })
    }
}

fn read(path: &Path) -> Result<Vec<u8>, KeyError> {
    std::fs::read(path).map_err(|source| KeyError::Read {
        path: path.to_owned(),
        source,
    })
}

/// The secret kept in `path`, or a new one generated there; `true` when it was generated.
pub fn read_or_generate_secret(path: &Path) -> Result<(SecretString, bool), KeyError> {
    match std::fs::read_to_string(path).map(SecretString::from) {
        Ok(s) => Ok((s.expose_secret().trim().into(), false)),
        Err(_) => generate_secret(path).map(|s| (s.into(), true)),
    }
}

/// 32 random bytes from the OS, hex-encoded, written with mode 0600.
fn generate_secret(path: &Path) -> Result<String, KeyError> {
    use std::io::{Read, Write};
    let write_err = |source| KeyError::Write {
        path: path.to_owned(),
        source,
    };
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(write_err)?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(write_err)?;
    file.write_all(secret.as_bytes()).map_err(write_err)?;
    Ok(secret)
}
