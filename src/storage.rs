//! The visitor's small local memory (localStorage), namespaced and
//! tolerant: private modes and full quotas just mean nothing is remembered.

/// The namespace of every key (also what `storage` events carry).
pub(crate) const PREFIX: &str = "helpdock:";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The value stored under `key`, if any.
pub fn get(key: &str) -> Option<String> {
    local_storage()?.get_item(&format!("{PREFIX}{key}")).ok().flatten()
}

/// Stores `value` under `key`; failures are ignored.
pub fn set(key: &str, value: &str) {
    if let Some(storage) = local_storage() {
        _ = storage.set_item(&format!("{PREFIX}{key}"), value);
    }
}

/// Forgets `key`; failures are ignored.
pub fn remove(key: &str) {
    if let Some(storage) = local_storage() {
        _ = storage.remove_item(&format!("{PREFIX}{key}"));
    }
}
