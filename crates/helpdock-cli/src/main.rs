//! `helpdock`: compile a content pack, inspect it, ask it questions.
//!
//! The `ask` output format is an interface: answer-quality measurements read
//! it, so it stays as documented in the README.

mod chat;
mod guard;
mod packs;

use std::io::{self, BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use helpdock_core::index::{build, Index};
use helpdock_core::locale::Locale;
use helpdock_core::pack::Content;
use helpdock_core::search::SearchOptions;
use helpdock_core::source::{from_files, from_json, ContentError, SourceFile};
use serde_json::json;

#[derive(Parser)]
#[command(name = "helpdock", version, about = "Helpdock content packs: build, inspect, ask.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build or inspect a content pack.
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// Answer questions read one per line from stdin, one JSON line each:
    /// {"query", "answers": [{"id", "score"}], "confident"}.
    Ask {
        /// The compiled pack, or the manifest of its per-locale parts.
        #[arg(long)]
        pack: PathBuf,
        /// How many answers per question.
        #[arg(long, default_value_t = 5)]
        top: usize,
        /// Only articles in this locale (en, zh-CN).
        #[arg(long)]
        locale: Option<String>,
        /// Also print why: the confidence and the evidence behind it.
        #[arg(long)]
        explain: bool,
    },
    /// Talk to the bot: one user turn per line on stdin (or /yes, /no,
    /// /choose <article>, /person, /skip, /cancel, /channel <kind>), one
    /// JSON line per turn: {"turn", "actions": [{"kind", ...}]}.
    Chat {
        /// The compiled pack.
        #[arg(long)]
        pack: PathBuf,
        /// The bot's language (en, zh-CN).
        #[arg(long)]
        locale: Option<String>,
        /// The widget configuration (JSON) whose `channels` the bot offers.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The moment of the conversation (RFC 3339); default now.
        #[arg(long)]
        now: Option<String>,
        /// The user's UTC offset, for dates like "yesterday 10:00".
        #[arg(long, default_value = "+00:00", allow_hyphen_values = true)]
        utc_offset: String,
    },
    /// Write each locale's catalogue as the browser fetches it
    /// (`strings.<tag>.txt`: the widget's texts, a `%% core` line, core's
    /// texts, each in its English catalogue's key order), for every locale
    /// but English, which the widget compiles in.
    Strings {
        /// The widget's catalogues.
        #[arg(long, default_value = "locales")]
        widget: PathBuf,
        /// Core's catalogues.
        #[arg(long, default_value = "crates/helpdock-core/locales")]
        core: PathBuf,
        /// Where to write them.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Check texts for secrets: one text per line on stdin, one JSON line
    /// each: {"text_len", "blocked", "kinds"}. The text is never echoed.
    Guard {
        /// An official domain (repeatable); links to other hosts are reported.
        #[arg(long = "official-domain", value_name = "D")]
        official_domains: Vec<String>,
    },
}

#[derive(Subcommand)]
enum PackCommand {
    /// Compile a content folder (Markdown + YAML) or a JSON document into
    /// one pack per locale (NAME.<locale>.<hash>.hdpk) and, at the output
    /// path, the manifest listing them. The parts index the example
    /// questions' words but leave out their text, which no browser shows.
    Build {
        /// A content folder, or a .json file.
        source: PathBuf,
        /// Where to write the manifest (NAME.hdpk); the parts go beside it.
        #[arg(short, long)]
        output: PathBuf,
        /// Write one whole pack instead: every locale in one file, with the
        /// example questions' text (for tools such as the benchmark page).
        #[arg(long)]
        whole: bool,
    },
    /// Build a larger pack for measuring: `--articles` articles derived from
    /// the source's, about half their words swapped for others from it,
    /// in one whole pack.
    Synth {
        /// A content folder, or a .json file.
        source: PathBuf,
        /// How many articles.
        #[arg(long)]
        articles: usize,
        /// Seed for the word swaps.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the pack.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Print what a pack holds: articles, terms, size; per locale for a
    /// manifest's parts.
    Stats {
        /// The compiled pack or manifest.
        pack: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Pack { command: PackCommand::Build { source, output, whole: false } } => build_pack(&source, &output),
        Command::Pack { command: PackCommand::Build { source, output, whole: true } } => {
            write_whole(&load(&source)?, &output)
        }
        Command::Pack { command: PackCommand::Synth { source, articles, seed, output } } => {
            let content = helpdock_core::synthetic::synthetic(&load(&source)?, articles, seed);
            write_whole(&content, &output)
        }
        Command::Pack { command: PackCommand::Stats { pack } } => stats(&pack),
        Command::Ask { pack, top, locale, explain } => ask(&pack, top, locale.as_deref(), explain),
        Command::Chat { pack, locale, config, now, utc_offset } => chat::run(chat::Setup {
            pack: &pack,
            config: config.as_deref(),
            locale: locale.as_deref(),
            now: now.as_deref(),
            utc_offset: &utc_offset,
        }),
        Command::Guard { official_domains } => guard::run(&official_domains),
        Command::Strings { widget, core, out } => write_strings(&widget, &core, &out),
    }
}

fn write_strings(widget: &Path, core: &Path, out: &Path) -> Result<()> {
    use helpdock_core::catalogue::{served, Catalogue};
    let read = |path: PathBuf| -> Result<Catalogue> {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        Catalogue::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    };
    let (widget_en, core_en) = (read(widget.join("en.txt"))?, read(core.join("en.txt"))?);
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
        let file = format!("{}.txt", locale.tag());
        let text = format!(
            "{}%% core\n{}",
            served(&widget_en, &read(widget.join(&file))?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", widget.join(&file).display()))?,
            served(&core_en, &read(core.join(&file))?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", core.join(&file).display()))?,
        );
        let path = out.join(format!("strings.{}", file));
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn build_pack(source: &Path, output: &Path) -> Result<()> {
    packs::write_split(&load(source)?, output)
}

/// Reads and checks a content folder or JSON document.
fn load(source: &Path) -> Result<Content> {
    let content = if source.is_dir() {
        let mut files = Vec::new();
        collect_files(source, source, &mut files)?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        from_files(&files)
    } else {
        let text = std::fs::read_to_string(source).with_context(|| format!("reading {}", source.display()))?;
        from_json(&source.display().to_string(), &text)
    };
    content.or_else(|errors| {
        report(source, &errors);
        bail!("{} problem(s) in the content; nothing was written", errors.len())
    })
}

fn write_whole(content: &Content, output: &Path) -> Result<()> {
    let bytes = build(content);
    // Check what was written reads back before replacing the old pack.
    let index = Index::from_bytes(&bytes).context("the freshly built pack does not read back (a bug)")?;
    packs::write_whole(&bytes, output)?;
    eprintln!(
        "wrote {}: {} articles, {} categories, {} announcements, {} terms, {} bytes",
        output.display(),
        index.articles.len(),
        index.categories.len(),
        index.announcements.len(),
        index.term_count(),
        bytes.len()
    );
    Ok(())
}

fn report(source: &Path, errors: &[ContentError]) {
    for e in errors {
        let file = if source.is_dir() { source.join(&e.file).display().to_string() } else { e.file.clone() };
        let e = ContentError { file, ..e.clone() };
        eprintln!("{e}");
    }
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(root, &path, out)?;
            continue;
        }
        let wanted =
            path.extension().is_some_and(|e| ["md", "yaml", "yml", "json", "txt"].contains(&&*e.to_string_lossy()));
        if wanted {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            out.push(SourceFile { path: rel, text });
        }
    }
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).and_then(|()| encoder.finish()).map_or(0, |out| out.len())
}

fn stats(pack: &Path) -> Result<()> {
    let opened = packs::open(pack, None)?;
    for (i, part) in opened.iter().enumerate() {
        if i > 0 {
            println!();
        }
        if let Some(locale) = &part.locale {
            println!("part           {locale}: {}", part.path.display());
        }
        part_stats(&part.index, &part.bytes)?;
    }
    if opened.len() > 1 {
        let size: usize = opened.iter().map(|p| p.bytes.len()).sum();
        let gzipped: usize = opened.iter().map(|p| gzip_len(&p.bytes)).sum();
        println!("\nall parts      {size} bytes, {gzipped} gzipped");
    }
    Ok(())
}

fn part_stats(index: &Index, bytes: &[u8]) -> Result<()> {
    let size = bytes.len();
    let mut locales: Vec<&str> = index.articles.iter().map(|a| a.locale.as_str()).collect();
    locales.sort_unstable();
    locales.dedup();
    let per_locale: Vec<String> =
        locales.iter().map(|l| format!("{l}: {}", index.articles.iter().filter(|a| a.locale == *l).count())).collect();
    println!("articles       {} ({})", index.articles.len(), per_locale.join(", "));
    println!("categories     {}", index.categories.len());
    println!("announcements  {}", index.announcements.len());
    println!("terms          {}", index.term_count());
    let per_article = |n: usize| n as f64 / index.articles.len().max(1) as f64;
    let gzipped = gzip_len(bytes);
    println!(
        "size           {size} bytes, {gzipped} gzipped ({:.0} / {:.0} bytes per article)",
        per_article(size),
        per_article(gzipped)
    );
    for (name, payload) in helpdock_core::index::sections(bytes)? {
        println!("  {name:<13}{:>9} bytes, {:>8} gzipped", payload.len(), gzip_len(payload));
    }
    Ok(())
}

fn ask(pack: &Path, top: usize, locale: Option<&str>, explain: bool) -> Result<()> {
    let locale = match locale {
        None => None,
        Some(tag) => Some(Locale::from_tag(tag).with_context(|| format!("--locale {tag:?}: expected en or zh-CN"))?),
    };
    let parts = packs::open(pack, locale)?;
    let options = SearchOptions { top, locale };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in io::stdin().lock().lines() {
        let query = line.context("reading stdin")?;
        // Without --locale every part is asked, and the one whose best
        // article scores highest answers: the query's own language, in
        // practice, as the widget would search it.
        let (index, answer) = parts
            .iter()
            .map(|p| (&p.index, p.index.search(&query, &options)))
            .max_by(|(_, a), (_, b)| top_score(a).total_cmp(&top_score(b)).then(std::cmp::Ordering::Greater))
            .context("the manifest lists no parts")?;
        let answers: Vec<_> = answer
            .hits
            .iter()
            .map(|h| json!({"id": index.articles[h.article as usize].id, "score": h.score}))
            .collect();
        let mut line = json!({"query": query, "answers": answers, "confident": answer.confident});
        if explain {
            line["why"] = json!({
                "confidence": answer.confidence,
                "coverage": answer.why.coverage,
                "evidence": answer.why.evidence,
                "margin": answer.why.margin,
                "strength": answer.why.strength,
                "matched": answer.matched,
                "corrections": answer.corrections,
            });
        }
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

fn top_score(answer: &helpdock_core::search::Answer) -> f32 {
    answer.hits.first().map_or(f32::NEG_INFINITY, |h| h.score)
}
