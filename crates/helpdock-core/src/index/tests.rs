use super::*;
use crate::search::SearchOptions;
use crate::source::from_json;

fn pack() -> Index {
    Index::from_bytes(&build(&content())).expect("opens")
}

fn content() -> crate::pack::Content {
    from_json(
        "test.json",
        r#"{
          "locale": "en",
          "categories": [{"id": "funds", "names": {"en": "Deposits", "zh-CN": "充提"}, "order": 2}, {"id": "account", "name": "Account", "order": 1}],
          "articles": [
            {"id": "deposit-missing", "title": "My deposit has not arrived", "category": "funds",
             "questions": ["where is my deposit", "crypto sent but not credited"], "tags": ["deposit", "txid"],
             "body": "Check the [explorer](https://example.com/tx) for your TxID.", "related": ["wrong-network"]},
            {"id": "wrong-network", "title": "I sent funds on the wrong network", "category": "funds",
             "questions": ["sent usdt via the wrong chain"], "body": "Recovery may be possible."},
            {"id": "reset-2fa", "title": "Reset two-factor authentication", "category": "account",
             "questions": ["lost my authenticator phone"], "tags": ["2fa"]},
            {"id": "deposit-missing", "locale": "zh-CN", "title": "充值未到账怎么办", "category": "funds",
             "questions": ["充币一直没到账", "转账了但是余额没变"], "body": "请提供交易哈希 TxID。"},
            {"id": "reset-2fa", "locale": "zh-CN", "title": "重置谷歌验证", "category": "account",
             "questions": ["手机丢了谷歌验证怎么办"], "tags": ["2FA"]}
          ],
          "synonyms": [["充值", "充币", "入金", "deposit"], ["2FA", "two factor authentication", "谷歌验证"]],
          "announcements": [{"id": "m", "title": {"en": "BTC maintenance"}, "starts": "2026-11-25T02:00:00Z", "ends": "2026-11-25T04:00:00Z", "severity": "warning", "tags": ["btc"]}]
        }"#,
    )
    .expect("valid test content")
}

fn top(index: &Index, query: &str, locale: Option<Locale>) -> Vec<String> {
    index
        .search(query, &SearchOptions { top: 3, locale })
        .hits
        .iter()
        .map(|h| {
            let a = &index.articles[h.article as usize];
            format!("{}@{}", a.id, a.locale)
        })
        .collect()
}

use crate::locale::Locale;

#[test]
fn everything_written_is_read_back() {
    let index = pack();
    assert_eq!(index.articles.len(), 5);
    let (_, a) = index.article("deposit-missing", "en").unwrap();
    assert_eq!(a.related, ["wrong-network"]);
    assert_eq!(a.tags, ["deposit", "txid"]);
    assert_eq!(index.categories.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["account", "funds"]);
    assert_eq!(index.categories[1].name(Locale::ZhCn), "充提");
    assert_eq!(index.announcements[0].severity, Severity::Warning);
    assert!(index.term_count() > 20);
}

#[test]
fn english_chinese_mixed_and_synonyms() {
    let index = pack();
    assert_eq!(top(&index, "deposit not arrived", Some(Locale::En))[0], "deposit-missing@en");
    assert_eq!(top(&index, "充值没到账", Some(Locale::ZhCn))[0], "deposit-missing@zh-CN");
    // 入金 appears nowhere in the articles; the synonym group carries it.
    assert_eq!(top(&index, "入金", Some(Locale::ZhCn))[0], "deposit-missing@zh-CN");
    assert_eq!(top(&index, "USDT 充币 没到", Some(Locale::ZhCn))[0], "deposit-missing@zh-CN");
    assert_eq!(top(&index, "2fa 丢了", Some(Locale::ZhCn))[0], "reset-2fa@zh-CN");
    assert_eq!(top(&index, "two factor", Some(Locale::En))[0], "reset-2fa@en");
    assert_eq!(top(&index, "ＵＳＤＴ wrong chain", None)[0], "wrong-network@en");
}

#[test]
fn searching_all_locales_lists_each_article_once() {
    let index = pack();
    // "2FA" matches both translations of reset-2fa; the better one stands for both.
    let hits = top(&index, "2FA 谷歌验证", None);
    assert_eq!(hits.iter().filter(|h| h.starts_with("reset-2fa@")).count(), 1, "{hits:?}");
    assert_eq!(hits[0], "reset-2fa@zh-CN");
}

#[test]
fn typos_are_tolerated_and_reported() {
    let index = pack();
    let answer = index.search("authenticatr phnoe lost", &SearchOptions { top: 3, locale: Some(Locale::En) });
    assert_eq!(index.articles[answer.hits[0].article as usize].id, "reset-2fa");
    assert!(
        answer.corrections.contains(&("authenticatr".to_owned(), "authenticator".to_owned())),
        "{:?}",
        answer.corrections
    );
}

#[test]
fn nonsense_gets_no_confident_answer() {
    let index = pack();
    for q in ["", "   ", "banana smoothie recipe", "天气怎么样"] {
        let answer = index.search(q, &SearchOptions { top: 3, locale: None });
        assert!(!answer.confident, "{q:?} -> {answer:?}");
    }
    let answer = index.search("my deposit has not arrived", &SearchOptions { top: 3, locale: Some(Locale::En) });
    assert!(answer.confident, "{answer:?}");
}

#[test]
fn link_targets_are_not_indexed() {
    let index = pack();
    assert!(index.find_term("https").is_none());
    assert!(index.find_term("example.com").is_none());
    assert!(index.find_term("explorer").is_some());
}

#[test]
fn damaged_files_are_refused_with_a_reason() {
    let bytes = build(&crate::pack::Content::default());
    assert!(Index::from_bytes(&bytes).is_ok());
    assert_eq!(Index::from_bytes(b"PK\x03\x04zip").unwrap_err(), IndexError::BadMagic);
    let mut newer = bytes.clone();
    newer[4] = VERSION + 1;
    assert_eq!(
        Index::from_bytes(&newer).unwrap_err(),
        IndexError::UnsupportedVersion { found: VERSION + 1, supported: VERSION }
    );
    let full = build(&from_json("t.json", r#"{"articles": [{"id": "a", "title": "hello world"}]}"#).unwrap());
    for cut in [6, full.len() / 2, full.len() - 1] {
        assert!(matches!(Index::from_bytes(&full[..cut]), Err(IndexError::Truncated { .. })), "cut at {cut}");
    }
}

#[test]
fn unknown_sections_from_later_versions_are_skipped() {
    let mut bytes = build(&from_json("t.json", r#"{"articles": [{"id": "a", "title": "hello world"}]}"#).unwrap());
    bytes.extend_from_slice(&[99, 3, 1, 2, 3]);
    let index = Index::from_bytes(&bytes).expect("skips tag 99");
    assert_eq!(index.articles.len(), 1);
}

#[test]
fn issue_11_a_pack_splits_into_one_part_per_locale() {
    let split = build_split(&content(), "help");
    let locales: Vec<&str> = split.manifest.parts.iter().map(|p| p.locale.as_str()).collect();
    assert_eq!(locales, ["en", "zh-CN"]);
    let manifest_bytes = split.manifest.to_bytes();
    assert!(Manifest::is_manifest(&manifest_bytes));
    assert_eq!(Index::from_bytes(&manifest_bytes).unwrap_err(), IndexError::IsManifest);
    let manifest = Manifest::from_bytes(&manifest_bytes).expect("reads back");
    assert_eq!(manifest, split.manifest);

    let zh = manifest.part(Locale::ZhCn).expect("zh part");
    assert!(zh.file.starts_with("help.zh-CN.") && zh.file.ends_with(".hdpk") && zh.file.len() == 32, "{}", zh.file);
    let (file, bytes) = split.parts.iter().find(|(f, _)| *f == zh.file).expect("zh bytes");
    assert_eq!(zh.size, bytes.len() as u64, "{file}");
    let index = Index::from_bytes(bytes).expect("a part is a pack");
    assert!(index.articles.iter().all(|a| a.locale == "zh-CN"));
    assert_eq!(index.categories.iter().map(|c| c.names.len()).collect::<Vec<_>>(), [1, 1]);
    // A category named only in English keeps that name in every part.
    assert_eq!(index.categories[0].name(Locale::ZhCn), "Account");
    assert_eq!(index.categories[1].name(Locale::ZhCn), "充提");
    assert_eq!(index.announcements[0].title(Locale::ZhCn), "BTC maintenance");
    // Searching a part finds what searching the whole pack finds in its locale.
    let whole = pack();
    for query in ["充币没到账", "谷歌验证", "deposit"] {
        let options = SearchOptions { top: 3, locale: Some(Locale::ZhCn) };
        let ids = |i: &Index| {
            i.search(query, &options).hits.iter().map(|h| i.articles[h.article as usize].id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(ids(&index), ids(&whole), "{query}");
    }
    // The part leaves the example questions' text out (no browser shows
    // it), but still finds an article by words only its questions have.
    assert!(index.articles.iter().all(|a| a.questions.is_empty()));
    assert!(whole.articles.iter().any(|a| !a.questions.is_empty()));
    let options = SearchOptions { top: 1, locale: Some(Locale::ZhCn) };
    let hit = index.search("余额没变", &options).hits[0].article;
    assert_eq!(index.articles[hit as usize].id, "deposit-missing");
    // An unknown locale gets the first part, as a whole pack shows its only language.
    let en_only = Manifest { parts: manifest.parts[..1].to_vec() };
    assert_eq!(en_only.part(Locale::ZhCn).map(|p| p.locale.as_str()), Some("en"));
}

#[test]
fn a_manifest_names_only_files_beside_it() {
    for file in ["../x.hdpk", "https://evil.example/x.hdpk", "a/b.hdpk", ".hidden", ""] {
        let manifest = Manifest { parts: vec![manifest::Part { locale: "en".into(), file: file.into(), size: 1 }] };
        assert!(Manifest::from_bytes(&manifest.to_bytes()).is_err(), "{file:?}");
    }
    assert_eq!(Manifest::from_bytes(b"HDPM\x09"), Err(IndexError::UnsupportedVersion { found: 9, supported: 1 }));
}
