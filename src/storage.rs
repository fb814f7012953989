//! The visitor's small local memory (localStorage), namespaced and
//! tolerant: private modes and full quotas just mean nothing is remembered.

/// The namespace of every key (also what `storage` events carry).
pub(crate) const PREFIX: &str = "helpdock:";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// This tab's storage (`sessionStorage`): survives a reload, not a new tab.
fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Whether this tab holds `key` (`sessionStorage`).
pub fn in_session(key: &str) -> bool {
    session_storage().and_then(|s| s.get_item(&full(key)).ok().flatten()).is_some()
}

/// Keeps `key` in this tab's storage while `on`, and forgets it otherwise.
pub fn set_in_session(key: &str, on: bool) {
    if let Some(storage) = session_storage() {
        _ = if on { storage.set_item(&full(key), "1") } else { storage.remove_item(&full(key)) };
    }
}

/// `key` in the namespace (without `format!`: this runs in every load).
fn full(key: &str) -> String {
    [PREFIX, key].concat()
}

/// Whether `stored`, a key a `storage` event names, is our `key`.
pub fn is_key(stored: Option<String>, key: &str) -> bool {
    stored.as_deref().and_then(|k| k.strip_prefix(PREFIX)) == Some(key)
}

/// The value stored under `key`, if any.
pub fn get(key: &str) -> Option<String> {
    local_storage()?.get_item(&full(key)).ok().flatten()
}

/// Stores `value` under `key`; failures are ignored.
pub fn set(key: &str, value: &str) {
    if let Some(storage) = local_storage() {
        _ = storage.set_item(&full(key), value);
    }
}

/// Forgets `key`; failures are ignored.
pub fn remove(key: &str) {
    if let Some(storage) = local_storage() {
        _ = storage.remove_item(&full(key));
    }
}
