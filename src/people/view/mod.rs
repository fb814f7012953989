//! The people module's screens: the live-chat area and My tickets.

pub(crate) mod live;
pub(crate) mod tickets;
