//! The TLS side of a PostgreSQL connection: a rustls client configuration with libpq's
//! certificate checks, handed to `tokio-postgres-rustls`.
//!
//! libpq's modes check different things, and rustls' stock verifier only knows "everything":
//! - `prefer` / `require` without a root certificate: encrypted, the certificate not checked;
//! - `verify-ca`, and `prefer` / `require` with a root certificate (libpq's backwards-compatible
//!   rule): the chain must lead to a trusted CA, the host name is not compared;
//! - `verify-full`: chain and host name, rustls' [`WebPkiServerVerifier`].
//!
//! The verifier also writes down what it saw (that a handshake happened, which protocol, why a
//! certificate was refused), because the `postgres` client does not expose its TLS stream:
//! `doctor` reports it and the connection error names the cause from it. The crypto provider
//! is `ring`, the one reqwest already brings in; no OpenSSL.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{WebPkiServerVerifier, verify_server_cert_signed_by_trust_anchor};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error, RootCertStore, SignatureScheme,
};

use super::params::{ParamError, Params, RootCert, SslMode};

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Encrypted against eavesdroppers, not against an impostor.
    None,
    /// The chain leads to a trusted CA; the host name is not compared.
    Chain,
    /// The chain and the host name.
    Full,
}

/// What the handshake showed, written by the verifier while it runs.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    /// `TLSv1.2` or `TLSv1.3`; `None` while no handshake happened (plain text).
    pub protocol: Option<&'static str>,
    /// Why the server's certificate was refused.
    pub refused: Option<CertificateError>,
}

pub type Witness = Arc<Mutex<Seen>>;

pub fn read(witness: &Witness) -> Seen {
    witness
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// The rustls configuration for `params`, the checks it makes, and where it writes what it saw.
pub fn client_config(params: &Params) -> Result<(ClientConfig, Verification, Witness), ParamError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verification = match (params.sslmode, &params.root) {
        (SslMode::VerifyFull, _) => Verification::Full,
        (SslMode::Disable, _) | (_, None) => Verification::None,
        (_, Some(_)) => Verification::Chain,
    };
    let roots = match &params.root {
        Some(root) if verification != Verification::None => Some(Arc::new(load_roots(root)?)),
        _ => None,
    };
    let full = match (&roots, verification) {
        (Some(roots), Verification::Full) => Some(
            WebPkiServerVerifier::builder_with_provider(roots.clone(), provider.clone())
                .build()
                .map_err(|e| bad_file(params.root.as_ref(), &e.to_string()))?,
        ),
        _ => None,
    };
    let witness = Witness::default();
    let verifier = Arc::new(Verifier {
        verification,
        roots,
        full,
        algorithms: provider.signature_verification_algorithms,
        witness: witness.clone(),
    });
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ParamError {
            reason: format!("TLS setup failed ({e})"),
            hint: "report this as a bug".into(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match &params.client_cert {
        Some((cert, key)) => {
            let (chain, key) = load_client_cert(cert, key)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| ParamError {
                    reason: format!(
                        "client certificate {} does not fit its key ({e})",
                        cert.display()
                    ),
                    hint: "set sslkey to the key the certificate was issued for".into(),
                })?
        }
        None => builder.with_no_client_auth(),
    };
    Ok((config, verification, witness))
}

fn bad_file(root: Option<&RootCert>, why: &str) -> ParamError {
    let what = root.map(|r| r.to_string()).unwrap_or_default();
    ParamError {
        reason: format!("cannot use {what}: {why}"),
        hint: "point sslrootcert at a PEM file with your provider's CA certificate(s)".into(),
    }
}

fn load_roots(root: &RootCert) -> Result<RootCertStore, ParamError> {
    let mut store = RootCertStore::empty();
    match root {
        RootCert::System => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
        }
        RootCert::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| bad_file(Some(root), &e.to_string()))?;
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
                .collect::<Result<_, _>>()
                .map_err(|e| bad_file(Some(root), &format!("not PEM ({e})")))?;
            store.add_parsable_certificates(certs);
        }
    }
    if store.is_empty() {
        return Err(bad_file(Some(root), "no CA certificate found"));
    }
    Ok(store)
}

fn load_client_cert(
    cert: &Path,
    key: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), ParamError> {
    let unusable = |path: &Path, why: String| ParamError {
        reason: format!("cannot use {}: {why}", path.display()),
        hint: "sslcert and sslkey must be PEM files readable by this user".into(),
    };
    let bytes = std::fs::read(cert).map_err(|e| unusable(cert, e.to_string()))?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| unusable(cert, format!("not PEM ({e})")))?;
    if chain.is_empty() {
        return Err(unusable(cert, "no certificate in it".into()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = std::fs::metadata(key).map_err(|e| unusable(key, e.to_string()))?;
        let mode = meta.permissions().mode();
        // libpq: 0600 or less, or 0640 or less when root owns the file.
        let loose = if meta.uid() == 0 {
            mode & 0o037
        } else {
            mode & 0o077
        };
        if loose != 0 {
            return Err(ParamError {
                reason: format!(
                    "private key file {} has group or world access",
                    key.display()
                ),
                hint: format!("run `chmod 600 {}`", key.display()),
            });
        }
    }
    let bytes = std::fs::read(key).map_err(|e| unusable(key, e.to_string()))?;
    let key_der = PrivateKeyDer::from_pem_slice(&bytes)
        .map_err(|e| unusable(key, format!("no private key in it ({e})")))?;
    Ok((chain, key_der))
}

#[derive(Debug)]
struct Verifier {
    verification: Verification,
    roots: Option<Arc<RootCertStore>>,
    full: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
    witness: Witness,
}

impl Verifier {
    fn note(&self, f: impl FnOnce(&mut Seen)) {
        f(&mut self.witness.lock().unwrap_or_else(PoisonError::into_inner));
    }

    fn check(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match (self.verification, &self.full, &self.roots) {
            (Verification::Full, Some(full), _) => {
                full.verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            }
            (Verification::Chain, _, Some(roots)) => {
                let cert = ParsedCertificate::try_from(end_entity)?;
                verify_server_cert_signed_by_trust_anchor(
                    &cert,
                    roots,
                    intermediates,
                    now,
                    self.algorithms.all,
                )?;
                Ok(ServerCertVerified::assertion())
            }
            (Verification::None, _, _) => Ok(ServerCertVerified::assertion()),
            // Built together in `client_config`: a verifying mode always has its roots.
            _ => Err(Error::General(
                "no trust anchors for a verifying sslmode".into(),
            )),
        }
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let outcome = self.check(end_entity, intermediates, server_name, ocsp, now);
        if let Err(Error::InvalidCertificate(why)) = &outcome {
            let why = why.clone();
            self.note(|seen| seen.refused = Some(why));
        }
        outcome
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.note(|seen| seen.protocol = Some("TLSv1.2"));
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.note(|seen| seen.protocol = Some("TLSv1.3"));
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
