//! The manifest of a pack split by locale: which file holds which locale's
//! part, so the widget fetches only the language it shows (format in the
//! parent module).

use super::codec::Reader;
#[cfg(feature = "build")]
use super::codec::Writer;
use super::IndexError;
use crate::locale::Locale;
#[cfg(feature = "build")]
use crate::pack::Content;

/// The manifest's file signature, distinct from a pack's `HDPK`.
pub const MANIFEST_MAGIC: &[u8; 4] = b"HDPM";
/// The manifest version this crate writes and the newest it reads.
pub const MANIFEST_VERSION: u8 = 1;

/// One locale's part: a complete pack of that locale's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The locale tag, as the articles give it (`en`, `zh-CN`).
    pub locale: String,
    /// The part's file name, beside the manifest:
    /// `<stem>.<locale>.<16 hex digits of its SHA-256>.hdpk`.
    pub file: String,
    /// The part's size in bytes.
    pub size: u64,
}

/// What `helpdock pack build` writes under the pack's own name: the list of
/// its per-locale parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    /// The parts, in the order the locales were first met in the content.
    pub parts: Vec<Part>,
}

impl Manifest {
    /// Whether `bytes` are a manifest (rather than a pack, or neither).
    pub fn is_manifest(bytes: &[u8]) -> bool {
        bytes.starts_with(MANIFEST_MAGIC)
    }

    /// Reads a manifest.
    pub fn from_bytes(bytes: &[u8]) -> Result<Manifest, IndexError> {
        if !Manifest::is_manifest(bytes) || bytes.len() < 5 {
            return Err(IndexError::BadMagic);
        }
        if bytes[4] > MANIFEST_VERSION || bytes[4] == 0 {
            return Err(IndexError::UnsupportedVersion { found: bytes[4], supported: MANIFEST_VERSION });
        }
        let mut r = Reader::new(&bytes[5..], "MANIFEST");
        let n = r.usize()?;
        let parts = (0..n)
            .map(|_| Ok(Part { locale: r.str()?, file: r.str()?, size: r.varint()? }))
            .collect::<Result<Vec<_>, IndexError>>()?;
        // A file name is resolved against the manifest's URL or folder:
        // nothing may climb out of it or name another host.
        if parts
            .iter()
            .any(|p| p.file.is_empty() || p.file.contains(['/', '\\', ':', '?', '#']) || p.file.starts_with('.'))
        {
            return Err(IndexError::Corrupt {
                section: "MANIFEST",
                what: "a part's file name is not a plain file name",
            });
        }
        Ok(Manifest { parts })
    }

    /// The part to show in `locale`: the one in that locale, else the first
    /// (a pack written in one language shows it to everyone, as a whole
    /// pack does).
    pub fn part(&self, locale: Locale) -> Option<&Part> {
        self.parts.iter().find(|p| Locale::from_tag(&p.locale) == Some(locale)).or_else(|| self.parts.first())
    }

    /// The manifest's bytes.
    #[cfg(feature = "build")]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.buf.extend_from_slice(MANIFEST_MAGIC);
        w.buf.push(MANIFEST_VERSION);
        w.varint(self.parts.len() as u64);
        for p in &self.parts {
            w.str(&p.locale);
            w.str(&p.file);
            w.varint(p.size);
        }
        w.buf
    }
}

/// A pack split by locale: the manifest and each part's file name and bytes.
#[cfg(feature = "build")]
#[derive(Debug, Clone)]
pub struct Split {
    /// The manifest, written under the pack's own name.
    pub manifest: Manifest,
    /// Each part's file name and bytes, in the manifest's order.
    pub parts: Vec<(String, Vec<u8>)>,
}

/// Compiles `content` into one pack per locale, named after `stem` (the
/// pack's file name without `.hdpk`) and a hash of its bytes, so a part can
/// be cached for good and a new build never reuses an old name. The parts
/// are what browsers fetch: they index the example questions' words but do
/// not store their text (about 5 KB gzip per locale of the starter).
#[cfg(feature = "build")]
pub fn build_split(content: &Content, stem: &str) -> Split {
    let mut manifest = Manifest::default();
    let mut parts = Vec::new();
    for locale in content.locales() {
        let bytes = super::build::encode(&content.for_locale(&locale), super::build::Questions::IndexedOnly);
        let file = format!("{stem}.{locale}.{}.hdpk", short_hash(&bytes));
        manifest.parts.push(Part { locale, file: file.clone(), size: bytes.len() as u64 });
        parts.push((file, bytes));
    }
    Split { manifest, parts }
}

/// The first 8 bytes of the SHA-256 of `bytes`, in hex.
#[cfg(feature = "build")]
fn short_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)[..8].iter().map(|b| format!("{b:02x}")).collect()
}
