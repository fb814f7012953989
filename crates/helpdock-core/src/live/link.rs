//! link: when does the widget open, greet, drop and reopen its one socket
//! to the backend?
//!
//! [`Link`] is the connection's state machine, with no IO: the widget feeds
//! it what happened ([`LinkEvent`]) and carries out the [`LinkStep`]s it
//! returns (ask for a session, open the socket, send `hello`, arm the retry
//! timer…). One socket serves every subscriber (live chat, tickets); the
//! caller says whether any of them wants it.
//!
//! ```
//! use helpdock_core::live::link::{Link, LinkEvent, LinkState, LinkStep};
//!
//! let mut link = Link::new(true);
//! assert_eq!(link.handle(LinkEvent::Want { wanted: true }, 0.5), [LinkStep::CancelRetry, LinkStep::OpenSession]);
//! assert_eq!(link.handle(LinkEvent::SessionReady, 0.5), [LinkStep::OpenSocket]);
//! assert_eq!(link.handle(LinkEvent::Opened, 0.5), [LinkStep::SendHello]);
//! assert_eq!(link.handle(LinkEvent::Welcomed, 0.5), [LinkStep::Greeted]);
//! assert_eq!(link.state(), LinkState::Open);
//! // The server goes away: drop the socket, retry in 0.5 s (attempt 0, no jitter at 0.5).
//! assert_eq!(link.handle(LinkEvent::Closed, 0.5), [LinkStep::DropSocket, LinkStep::RetryIn(500)]);
//! assert_eq!(link.state(), LinkState::Retrying);
//! ```

use super::reconnect_delay_ms;

/// The connection as a banner shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Connecting (the first time, or again after a drop).
    Connecting,
    /// Connected and greeted.
    Open,
    /// Dropped; the next attempt is scheduled.
    Retrying,
    /// The browser says it is offline; reconnects when it is back.
    Offline,
}

impl LinkState {
    /// A name for it (`data-link` in the widget's markup).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Connecting => "connecting",
            LinkState::Open => "open",
            LinkState::Retrying => "retrying",
            LinkState::Offline => "offline",
        }
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkEvent {
    /// Reconsider the socket: a subscriber's need changed, or the retry
    /// timer fired. `wanted`: does any subscriber want the socket now?
    Want {
        /// Whether any subscriber wants the socket.
        wanted: bool,
    },
    /// The session request ended with a token.
    SessionReady,
    /// The session request failed (the network, the server).
    SessionFailed,
    /// The socket opened.
    Opened,
    /// The server answered `hello` with `welcome`.
    Welcomed,
    /// The server said the token is no longer valid.
    Unauthorized,
    /// The socket closed, or could not open.
    Closed,
    /// The browser went offline.
    Offline,
    /// The browser is online again; `wanted` as for [`LinkEvent::Want`].
    Online {
        /// Whether any subscriber wants the socket.
        wanted: bool,
    },
    /// Nobody needs the socket any more (the conversation was left): close
    /// it now, even while it is greeted.
    Release,
    /// The page came into view (`visibilitychange`), or the user pressed
    /// "Retry now": a dropped link tries again at once. `wanted` as for
    /// [`LinkEvent::Want`].
    Shown {
        /// Whether any subscriber wants the socket.
        wanted: bool,
    },
    /// The page went out of view: retries back off up to 30 s, since
    /// nobody is watching.
    Hidden,
}

/// What the caller must do, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStep {
    /// Disarm the retry timer.
    CancelRetry,
    /// Get the session token (then report [`LinkEvent::SessionReady`] or
    /// [`LinkEvent::SessionFailed`]).
    OpenSession,
    /// Open the socket (then report [`LinkEvent::Opened`] or
    /// [`LinkEvent::Closed`]).
    OpenSocket,
    /// Send `hello` with every subscriber's resume points.
    SendHello,
    /// Greeted: send what waited (the outbox, receipts), start the pings.
    Greeted,
    /// Close the socket and stop the pings.
    DropSocket,
    /// Forget the session token: the next attempt opens a new session.
    ForgetToken,
    /// Arm the retry timer; when it fires, report [`LinkEvent::Want`].
    RetryIn(u32),
}

/// The steps for one event, in order: at most three, kept inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Steps([Option<LinkStep>; 3]);

impl Steps {
    fn of(steps: &[LinkStep]) -> Steps {
        let mut all = Steps::default();
        for &step in steps {
            all.push(step);
        }
        all
    }

    fn push(&mut self, step: LinkStep) {
        if let Some(slot) = self.0.iter_mut().find(|s| s.is_none()) {
            *slot = Some(step);
        }
    }

    fn then(mut self, more: Steps) -> Steps {
        for step in more {
            self.push(step);
        }
        self
    }

    /// The last step, if any.
    pub fn last(&self) -> Option<LinkStep> {
        self.0.iter().rev().find_map(|s| *s)
    }
}

impl IntoIterator for Steps {
    type Item = LinkStep;
    type IntoIter = std::iter::Flatten<std::array::IntoIter<Option<LinkStep>, 3>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().flatten()
    }
}

impl<const N: usize> PartialEq<[LinkStep; N]> for Steps {
    fn eq(&self, other: &[LinkStep; N]) -> bool {
        self.into_iter().eq(other.iter().copied())
    }
}

/// The connection's state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    state: LinkState,
    /// Reconnection attempts since the last `welcome`.
    attempt: u32,
    /// A session request or a socket is under way or open.
    busy: bool,
    online: bool,
    /// The page is out of view.
    hidden: bool,
}

/// The longest wait between attempts while the page is in view: a user
/// looking at "Reconnecting…" is back within 2 s of the server.
pub const VISIBLE_RETRY_MAX_MS: u32 = 1_600;

impl Link {
    /// A link with no socket yet; `online` is what the browser says now.
    pub fn new(online: bool) -> Link {
        let state = if online { LinkState::Connecting } else { LinkState::Offline };
        Link { state, attempt: 0, busy: false, online, hidden: false }
    }

    /// The state to show.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// Takes in what happened; `random` (0..1) jitters a retry delay.
    pub fn handle(&mut self, event: LinkEvent, random: f64) -> Steps {
        use LinkStep::*;
        match event {
            LinkEvent::Want { wanted } => self.want(wanted),
            LinkEvent::Online { wanted } => {
                self.online = true;
                self.attempt = 0;
                self.want(wanted)
            }
            LinkEvent::SessionReady if self.busy => Steps::of(&[OpenSocket]),
            LinkEvent::SessionReady => Steps::default(),
            LinkEvent::SessionFailed => {
                self.busy = false;
                self.retry(random)
            }
            LinkEvent::Opened => Steps::of(&[SendHello]),
            LinkEvent::Welcomed => {
                self.attempt = 0;
                self.state = LinkState::Open;
                Steps::of(&[Greeted])
            }
            LinkEvent::Unauthorized => {
                self.busy = false;
                Steps::of(&[ForgetToken, DropSocket]).then(self.retry(random))
            }
            LinkEvent::Closed => {
                self.busy = false;
                Steps::of(&[DropSocket]).then(self.retry(random))
            }
            LinkEvent::Offline => {
                // A socket may linger after the network went: drop it, so
                // what is sent meanwhile waits in the outbox.
                self.online = false;
                self.busy = false;
                self.state = LinkState::Offline;
                Steps::of(&[CancelRetry, DropSocket])
            }
            LinkEvent::Release => {
                self.busy = false;
                self.attempt = 0;
                Steps::of(&[CancelRetry, DropSocket])
            }
            LinkEvent::Shown { wanted } => {
                self.hidden = false;
                if self.state == LinkState::Retrying {
                    self.want(wanted)
                } else {
                    Steps::default()
                }
            }
            LinkEvent::Hidden => {
                self.hidden = true;
                Steps::default()
            }
        }
    }

    fn want(&mut self, wanted: bool) -> Steps {
        let mut steps = Steps::of(&[LinkStep::CancelRetry]);
        if self.busy || !wanted {
            return steps;
        }
        if !self.online {
            self.state = LinkState::Offline;
            return steps;
        }
        self.busy = true;
        self.state = LinkState::Connecting;
        steps.push(LinkStep::OpenSession);
        steps
    }

    fn retry(&mut self, random: f64) -> Steps {
        if !self.online {
            self.state = LinkState::Offline;
            return Steps::default();
        }
        let mut delay = reconnect_delay_ms(self.attempt, random);
        if !self.hidden {
            delay = delay.min(VISIBLE_RETRY_MAX_MS);
        }
        self.attempt = self.attempt.saturating_add(1);
        self.state = LinkState::Retrying;
        Steps::of(&[LinkStep::RetryIn(delay)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LinkEvent::*;
    use LinkStep::*;

    /// A link that is open and greeted.
    fn open() -> Link {
        let mut link = Link::new(true);
        link.handle(Want { wanted: true }, 0.5);
        link.handle(SessionReady, 0.5);
        link.handle(Opened, 0.5);
        link.handle(Welcomed, 0.5);
        link
    }

    #[test]
    fn nothing_opens_until_someone_wants_the_socket() {
        let mut link = Link::new(true);
        assert_eq!(link.handle(Want { wanted: false }, 0.5), [CancelRetry]);
        assert_eq!(link.handle(SessionReady, 0.5), [], "a late session opens no socket nobody asked for");
        assert_eq!(link.handle(Want { wanted: true }, 0.5), [CancelRetry, OpenSession]);
        assert_eq!(link.handle(Want { wanted: true }, 0.5), [CancelRetry], "one attempt at a time");
    }

    /// The retry delays of eight drops in a row.
    fn delays(link: &mut Link) -> Vec<u32> {
        let mut delays = Vec::new();
        for _ in 0..8 {
            let steps = link.handle(Closed, 0.5);
            let Some(RetryIn(ms)) = steps.last() else { panic!("{steps:?}") };
            delays.push(ms);
            link.handle(Want { wanted: true }, 0.5);
            link.handle(SessionReady, 0.5);
        }
        delays
    }

    #[test]
    fn in_view_the_wait_stays_short_out_of_view_it_backs_off() {
        let mut link = open();
        assert_eq!(delays(&mut link), [500, 1000, 1600, 1600, 1600, 1600, 1600, 1600]);
        let mut link = open();
        assert_eq!(link.handle(Hidden, 0.5), []);
        assert_eq!(delays(&mut link), [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    }

    #[test]
    fn coming_into_view_or_retry_now_tries_at_once() {
        let mut link = open();
        link.handle(Hidden, 0.5);
        assert_eq!(link.handle(Closed, 0.5), [DropSocket, RetryIn(500)]);
        assert_eq!(link.handle(Shown { wanted: true }, 0.5), [CancelRetry, OpenSession]);
        assert_eq!(link.state(), LinkState::Connecting);
        // While an attempt is under way, or the link is open, nothing more.
        assert_eq!(link.handle(Shown { wanted: true }, 0.5), []);
        link.handle(SessionReady, 0.5);
        link.handle(Opened, 0.5);
        link.handle(Welcomed, 0.5);
        assert_eq!(link.handle(Shown { wanted: true }, 0.5), []);
        // Nobody wants the socket: a drop is not reopened by a glance.
        link.handle(Closed, 0.5);
        assert_eq!(link.handle(Shown { wanted: false }, 0.5), [CancelRetry]);
    }

    #[test]
    fn drops_back_off_and_a_welcome_resets_the_count() {
        let mut link = open();
        link.handle(Hidden, 0.5);
        let mut delays = Vec::new();
        for _ in 0..8 {
            let steps = link.handle(Closed, 0.5);
            let Some(RetryIn(ms)) = steps.last() else { panic!("{steps:?}") };
            delays.push(ms);
            assert_eq!(link.state(), LinkState::Retrying);
            assert_eq!(link.handle(Want { wanted: true }, 0.5), [CancelRetry, OpenSession]);
            assert_eq!(link.state(), LinkState::Connecting);
            link.handle(SessionReady, 0.5);
        }
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
        link.handle(Opened, 0.5);
        link.handle(Welcomed, 0.5);
        assert_eq!(link.handle(Closed, 0.5), [DropSocket, RetryIn(500)]);
    }

    #[test]
    fn a_failed_session_is_retried_like_a_drop() {
        let mut link = Link::new(true);
        link.handle(Want { wanted: true }, 0.5);
        assert_eq!(link.handle(SessionFailed, 0.0), [RetryIn(375)]);
        assert_eq!(link.handle(Want { wanted: true }, 0.5), [CancelRetry, OpenSession]);
    }

    #[test]
    fn an_expired_token_means_a_new_session() {
        let mut link = open();
        assert_eq!(link.handle(Unauthorized, 0.5), [ForgetToken, DropSocket, RetryIn(500)]);
    }

    #[test]
    fn offline_waits_for_the_network_then_starts_the_count_again() {
        let mut link = open();
        link.handle(Closed, 0.5);
        link.handle(Want { wanted: true }, 0.5);
        link.handle(Closed, 0.5);
        assert_eq!(link.handle(Offline, 0.5), [CancelRetry, DropSocket]);
        assert_eq!(link.state(), LinkState::Offline);
        assert_eq!(link.handle(Want { wanted: true }, 0.5), [CancelRetry], "no attempt while offline");
        assert_eq!(link.handle(Closed, 0.5), [DropSocket], "no retry timer while offline");
        assert_eq!(link.handle(Online { wanted: true }, 0.5), [CancelRetry, OpenSession]);
        link.handle(SessionReady, 0.5);
        assert_eq!(link.handle(Closed, 0.5), [DropSocket, RetryIn(500)], "the first delay again");
        let mut offline_at_start = Link::new(false);
        assert_eq!(offline_at_start.state(), LinkState::Offline);
        assert_eq!(offline_at_start.handle(Want { wanted: true }, 0.5), [CancelRetry]);
    }

    #[test]
    fn releasing_closes_a_greeted_socket_and_another_subscriber_reopens_it() {
        let mut link = open();
        assert_eq!(link.handle(Release, 0.5), [CancelRetry, DropSocket]);
        assert_eq!(link.handle(Want { wanted: false }, 0.5), [CancelRetry]);
        assert_eq!(link.handle(Want { wanted: true }, 0.5), [CancelRetry, OpenSession]);
    }
}
