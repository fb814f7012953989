//! The widget's screens. Each reads [`WidgetState`](crate::state::WidgetState)
//! from context and calls its methods; none holds logic of its own.

mod chat;
mod help;
mod icons;
mod launcher;
pub(crate) mod live;
mod panel;
mod root;
mod tickets;

pub use root::WidgetRoot;
