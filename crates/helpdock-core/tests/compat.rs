//! Packs written by earlier releases must keep opening: the widget in a
//! host's page may be newer than the pack on its CDN. Each format version
//! gets a fixture here, written once by that version's `helpdock pack
//! build tests/fixtures/vN.json` and never regenerated.

use helpdock_core::index::Index;
use helpdock_core::locale::Locale;
use helpdock_core::pack::Severity;
use helpdock_core::search::SearchOptions;

#[test]
fn version_1_pack_opens_and_answers() {
    let index = Index::from_bytes(include_bytes!("fixtures/v1.hdpk")).expect("v1 pack opens");
    assert_eq!(index.articles.len(), 3);
    let (_, a) = index.article("deposit-not-arrived", "en").expect("article");
    assert_eq!(a.related, ["fees"]);
    assert_eq!(a.updated.as_deref(), Some("2026-11-01"));
    assert_eq!(index.categories[0].name(Locale::ZhCn), "充值");
    assert_eq!(index.announcements[0].severity, Severity::Critical);
    assert_eq!(index.announcements[0].ends_at - index.announcements[0].starts_at, 7200);
    let answer = index.search("充币 没到", &SearchOptions { top: 1, locale: Some(Locale::ZhCn) });
    assert_eq!(index.articles[answer.hits[0].article as usize].title, "充值未到账");
    let answer = index.search("where is my deposit", &SearchOptions { top: 1, locale: Some(Locale::En) });
    assert_eq!(index.articles[answer.hits[0].article as usize].id, "deposit-not-arrived");
}
