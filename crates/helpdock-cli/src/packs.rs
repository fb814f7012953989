//! Pack files on disk: a manifest and its per-locale parts beside it, or a
//! whole pack (every locale in one file, as `pack synth` and earlier
//! releases write).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use helpdock_core::index::{build_split, Index, Manifest};
use helpdock_core::locale::Locale;
use helpdock_core::pack::Content;

/// One opened pack file: a manifest's part, or a whole pack.
pub struct Opened {
    /// The file it was read from.
    pub path: PathBuf,
    /// Its locale, for a manifest's part.
    pub locale: Option<String>,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The pack, opened.
    pub index: Index,
}

/// Opens `path`: a whole pack as it is; a manifest's part for `locale`
/// (the first part when none is in that locale), or every part when
/// `locale` is `None`, each read from the manifest's folder.
pub fn open(path: &Path, locale: Option<Locale>) -> Result<Vec<Opened>> {
    let bytes = read(path)?;
    if !Manifest::is_manifest(&bytes) {
        let index = Index::from_bytes(&bytes).with_context(|| format!("opening {}", path.display()))?;
        return Ok(vec![Opened { path: path.to_owned(), locale: None, bytes, index }]);
    }
    let manifest = Manifest::from_bytes(&bytes).with_context(|| format!("opening {}", path.display()))?;
    let parts = match locale {
        Some(locale) => manifest.part(locale).into_iter().collect(),
        None => manifest.parts.iter().collect::<Vec<_>>(),
    };
    let folder = path.parent().unwrap_or(Path::new(""));
    parts
        .into_iter()
        .map(|part| {
            let path = folder.join(&part.file);
            let bytes = read(&path).with_context(|| format!("{} lists it", manifest_name(path.as_path())))?;
            let index = Index::from_bytes(&bytes).with_context(|| format!("opening {}", path.display()))?;
            Ok(Opened { path, locale: Some(part.locale.clone()), bytes, index })
        })
        .collect()
}

fn manifest_name(part: &Path) -> String {
    format!("the manifest beside {}", part.display())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Writes `content` as one part per locale beside `output` and the manifest
/// listing them as `output`; then removes the parts of earlier builds of
/// the same pack, which the new manifest no longer names.
pub fn write_split(content: &Content, output: &Path) -> Result<()> {
    let name = output.file_name().and_then(|n| n.to_str()).context("the output needs a file name")?;
    let stem = name.strip_suffix(".hdpk").unwrap_or(name);
    let folder = output.parent().unwrap_or(Path::new(""));
    let split = build_split(content, stem);
    for ((file, bytes), part) in split.parts.iter().zip(&split.manifest.parts) {
        // Check what was written reads back before the manifest points at it.
        let index = Index::from_bytes(bytes).context("a freshly built part does not read back (a bug)")?;
        let path = folder.join(file);
        write_atomically(&path, bytes)?;
        eprintln!(
            "wrote {}: {} {} articles, {} categories, {} announcements, {} terms, {} bytes",
            path.display(),
            index.articles.len(),
            part.locale,
            index.categories.len(),
            index.announcements.len(),
            index.term_count(),
            bytes.len()
        );
    }
    let manifest = split.manifest.to_bytes();
    write_atomically(output, &manifest)?;
    eprintln!("wrote {}: manifest of {} part(s), {} bytes", output.display(), split.parts.len(), manifest.len());
    remove_stale_parts(folder, stem, &split.manifest)
}

/// Whether `file` is named like a part of `stem`: `<stem>.<locale>.<16 hex>.hdpk`.
fn is_part_of(file: &str, stem: &str) -> bool {
    let Some(middle) = file.strip_prefix(stem).and_then(|f| f.strip_prefix('.')) else { return false };
    let Some(middle) = middle.strip_suffix(".hdpk") else { return false };
    let Some((locale, hash)) = middle.rsplit_once('.') else { return false };
    !locale.is_empty()
        && !locale.contains('.')
        && hash.len() == 16
        && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn remove_stale_parts(folder: &Path, stem: &str, manifest: &Manifest) -> Result<()> {
    let dir = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_part_of(&name, stem) && !manifest.parts.iter().any(|p| p.file == name) {
            std::fs::remove_file(entry.path()).with_context(|| format!("removing {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Writes a whole pack (every locale in one file).
pub fn write_whole(bytes: &[u8], output: &Path) -> Result<()> {
    write_atomically(output, bytes)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::is_part_of;

    #[test]
    fn parts_are_told_from_other_files() {
        assert!(is_part_of("starter.zh-CN.0123456789abcdef.hdpk", "starter"));
        assert!(is_part_of("starter.en.0123456789abcdef.hdpk", "starter"));
        assert!(!is_part_of("starter.hdpk", "starter"));
        assert!(!is_part_of("starter.en.hdpk", "starter"));
        assert!(!is_part_of("other.en.0123456789abcdef.hdpk", "starter"));
        assert!(!is_part_of("starter.big.en.0123456789abcdef.hdpk", "starter"));
    }
}
