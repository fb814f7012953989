//! The people module: live chat and tickets, and the backend they talk
//! to. Built into its own WebAssembly module (`people`), fetched by the
//! shell's [`crate::handover::People`] the first time it is needed; nothing
//! outside [`build`] refers to anything in here, which is what keeps it out
//! of the shell's module.

pub(crate) mod backend;
pub(crate) mod live;
pub(crate) mod tickets;
pub mod transport;
pub(crate) mod uploads;
mod view;

use std::rc::Rc;

use backend::Backend;
use helpdock_core::bot::{Action, Conversation};
use helpdock_core::live::Live;
use helpdock_core::protocol::Availability;
use helpdock_core::tickets::TicketList;
use leptos::prelude::*;

use crate::handover::{PeopleContext, PeopleModule};
use live::{LiveChat, Phase};
use tickets::Tickets;
use uploads::Uploads;

/// Builds the module's services under the widget's owner and provides
/// them by context to the module's views: the connection, uploads, and
/// live chat and tickets on top of them as equals.
pub(crate) fn build(context: PeopleContext) -> Rc<dyn PeopleModule> {
    let PeopleContext { config, state, owner, guard } = context;
    owner.with(|| {
        let backend = Backend::new(&config, state);
        provide_context(backend);
        let uploads = Uploads::new(backend, state, guard.clone());
        let live = LiveChat::new(backend, uploads, state, guard.clone());
        provide_context(live);
        let tickets = Tickets::new(backend, uploads, state, guard, use_context::<crate::content::Content>());
        provide_context(tickets);
        Rc::new(Services { live, tickets, backend }) as Rc<dyn PeopleModule>
    })
}

struct Services {
    live: LiveChat,
    tickets: Tickets,
    backend: Backend,
}

impl PeopleModule for Services {
    fn live_active(&self) -> bool {
        self.live.phase.get() != Phase::Off
    }

    /// Derived: live chat's unread messages and ticket replies, read from
    /// their signals (so the shell's badge follows both), never set.
    fn unread(&self) -> u32 {
        self.live.live.with(Live::unread).saturating_add(self.tickets.list.with(TicketList::unread))
    }

    fn availability(&self) -> Option<Availability> {
        self.backend.availability.get_untracked()
    }

    fn live_area(&self) -> AnyView {
        view! { <view::live::LiveArea /> }.into_any()
    }

    fn tickets_area(&self) -> AnyView {
        view! { <view::tickets::TicketsArea /> }.into_any()
    }

    fn escalate(&self, action: &Action) {
        self.live.escalate(action);
    }

    fn prefill_ticket(&self, conversation: &Conversation) {
        if self.tickets.available() {
            self.tickets.prefill_from_bot(conversation);
        }
    }
}
