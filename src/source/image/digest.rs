//! Content digests (`sha256:<hex>`, `sha512:<hex>`): parsing, hashing bytes in memory, and a
//! reader that hashes what streams through it, so that a blob is checked against the digest a
//! manifest claims for it without a second pass.

use std::io::{self, Read};

use anyhow::{Result, bail};
use sha2::{Digest, Sha256, Sha512};

/// A digest algorithm the OCI image specification registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `sha256`, what every registry and tool writes.
    Sha256,
    /// `sha512`, allowed by the OCI specification.
    Sha512,
}

impl Algorithm {
    /// The algorithm of `digest` (`algorithm:hex`); an unknown algorithm or a malformed hex part
    /// is an error, since the content could then not be checked.
    pub fn of(digest: &str) -> Result<Self> {
        let Some((algorithm, hex)) = digest.split_once(':') else {
            bail!("malformed digest {digest:?}");
        };
        let (algorithm, hex_len) = match algorithm {
            "sha256" => (Algorithm::Sha256, 64),
            "sha512" => (Algorithm::Sha512, 128),
            _ => bail!("unsupported digest algorithm in {digest:?}"),
        };
        if hex.len() != hex_len || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            bail!("malformed digest {digest:?}");
        }
        Ok(algorithm)
    }
}

/// A running hash of one algorithm.
enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    fn finish(self) -> String {
        match self {
            Hasher::Sha256(h) => format!("sha256:{}", hex::encode(h.finalize())),
            Hasher::Sha512(h) => format!("sha512:{}", hex::encode(h.finalize())),
        }
    }
}

/// The digest of `data` with `algorithm`, as `algorithm:hex`.
pub fn digest_of(algorithm: Algorithm, data: &[u8]) -> String {
    let mut hasher = Hasher::new(algorithm);
    hasher.update(data);
    hasher.finish()
}

/// Checks that `data` (a manifest, a config, an attestation) has the digest `claimed`.
pub fn check_bytes(what: &str, claimed: &str, data: &[u8]) -> Result<()> {
    let actual = digest_of(Algorithm::of(claimed)?, data);
    if actual != claimed {
        bail!("{what} {claimed} does not match its content, whose digest is {actual}");
    }
    Ok(())
}

/// Hashes every byte read through it.
pub struct DigestingRead<R> {
    inner: R,
    hasher: Hasher,
}

impl<R: Read> DigestingRead<R> {
    /// Hashes what is read from `inner` with `algorithm`.
    pub fn new(inner: R, algorithm: Algorithm) -> Self {
        Self {
            inner,
            hasher: Hasher::new(algorithm),
        }
    }

    /// The digest of the bytes read so far, as `algorithm:hex`.
    pub fn finish(self) -> String {
        self.hasher.finish()
    }
}

impl<R: Read> Read for DigestingRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_and_whole_digests_agree() {
        let data = b"layer bytes".repeat(1000);
        let mut reader = DigestingRead::new(&data[..], Algorithm::Sha256);
        io::copy(&mut reader, &mut io::sink()).unwrap();
        let streamed = reader.finish();
        assert_eq!(streamed, digest_of(Algorithm::Sha256, &data));
        assert!(check_bytes("blob", &streamed, &data).is_ok());
        assert!(check_bytes("blob", &streamed, b"other").is_err());
        let long = digest_of(Algorithm::Sha512, &data);
        assert_eq!(Algorithm::of(&long).unwrap(), Algorithm::Sha512);
    }

    #[test]
    fn malformed_and_unknown_digests_are_refused() {
        assert!(Algorithm::of("sha256:abc").is_err());
        assert!(Algorithm::of(&format!("md5:{}", "a".repeat(32))).is_err());
        assert!(Algorithm::of(&format!("sha256:{}", "A".repeat(64))).is_err());
        assert!(Algorithm::of("no-colon").is_err());
    }
}
