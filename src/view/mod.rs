//! The widget's screens. Each reads [`WidgetState`](crate::state::WidgetState)
//! from context and calls its methods; none holds logic of its own.

mod chat;
mod help;
mod icons;
mod launcher;
mod panel;
mod root;

pub use root::WidgetRoot;
