//! Several nodes behind a load balancer, sharing one PostgreSQL store and
//! one Redis: a frame published on any node is `PUBLISH`ed to Redis and
//! every node, subscribed to all of Helpdock's channels with one
//! `PSUBSCRIBE`, hands it to the sockets it holds for that channel.
//!
//! Why pub/sub and not streams: a frame is only a hint that something was
//! stored (the store is the truth, and every socket resumes from its last
//! `seq`), so at-most-once delivery is enough and nothing has to be trimmed;
//! what pub/sub loses is made good by making sockets resume. Why one pattern
//! subscription per node and not one subscription per socket's channel: a
//! node then needs no bookkeeping as sockets come and go, and a cluster has
//! few nodes; the price is that every node receives every frame (see
//! ARCHITECTURE.md, "Scaling out").
//!
//! Presence (who has a socket open, on which node) is kept in Redis too:
//! each node writes how many sockets it holds per channel into two hashes of
//! its own (`helpdock:presence:<node>:v` for visitors, `…:a` for agents)
//! whenever a count changes, rewrites them whole every few seconds (so they
//! come back after Redis restarts), and records itself with the time in the
//! sorted set `helpdock:nodes`; the hashes expire when a node stops
//! refreshing them, so a killed node's sockets stop counting within
//! [`NODE_TTL_MS`].
//!
//! When Redis goes away the node keeps serving what it can: frames for its
//! own sockets are delivered directly, presence falls back to its own
//! sockets, and it reconnects with backoff. Once its subscription is back,
//! every socket it holds is ended, so each client reconnects (to any node)
//! and resumes from its last `seq`: no frame published meanwhile is
//! silently missing.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::StreamExt;
use helpdock_core::protocol::ServerFrame;
use redis::aio::{ConnectionManager, ConnectionManagerConfig, PubSub};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Channel, Hub, Local, Subscription};
use crate::rate::SharedBuckets;
use crate::token::{now_ms, random_id};

/// What every key and channel of Helpdock's starts with, so a Redis can be
/// shared with other programs.
const PREFIX: &str = "helpdock:";
/// How often a node rewrites its presence and says it is alive.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// A node not heard of for this long counts as gone.
pub const NODE_TTL_MS: i64 = 20_000;
/// Longest wait between two attempts to reach Redis again.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The Redis hub of one node.
#[derive(Debug)]
pub struct RedisHub {
    local: Arc<Local>,
    node: String,
    outbox: mpsc::UnboundedSender<Outgoing>,
    conn: ConnectionManager,
    tasks: Vec<JoinHandle<()>>,
}

/// What the publishing task is given, in order.
#[derive(Debug)]
enum Outgoing {
    /// A frame for a channel.
    Frame(Channel, Box<ServerFrame>),
    /// A waiting list changed.
    Queue,
    /// Told once everything before it has left.
    Flushed(tokio::sync::oneshot::Sender<()>),
}

/// The Redis channel (pub/sub) of a hub channel.
fn topic(channel: &Channel) -> String {
    match channel {
        Channel::Visitor(id) => format!("{PREFIX}f:v:{id}"),
        Channel::Agent(id) => format!("{PREFIX}f:a:{id}"),
    }
}

fn channel_of(topic: &str) -> Option<Channel> {
    let rest = topic.strip_prefix(PREFIX)?.strip_prefix("f:")?;
    match rest.split_once(':')? {
        ("v", id) => Some(Channel::Visitor(id.to_string())),
        ("a", id) => Some(Channel::Agent(id.to_string())),
        _ => None,
    }
}

/// A node's presence hash for one kind of channel, and the field for it.
fn presence_key(node: &str, channel: &Channel) -> (String, String) {
    match channel {
        Channel::Visitor(id) => (format!("{PREFIX}presence:{node}:v"), id.clone()),
        Channel::Agent(id) => (format!("{PREFIX}presence:{node}:a"), id.clone()),
    }
}

const NODES: &str = "helpdock:nodes";
/// Where nodes say that a waiting list changed (the message is empty).
const QUEUE: &str = "helpdock:queue";

impl RedisHub {
    /// Connects to Redis (failing when it cannot be reached now: a wrong URL
    /// should stop the server at start, not later) and starts the node's
    /// three tasks: publishing, listening and presence.
    pub async fn connect(url: &str) -> Result<RedisHub, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(1));
        let conn = ConnectionManager::new_with_config(client.clone(), config).await?;
        // Subscribed before anything is published, so this node does not
        // miss its own first frames.
        let pubsub = subscribe(&client).await?;
        let node = random_id("node_");
        let (changes, changed) = mpsc::unbounded_channel();
        let local = Arc::new(Local::watched(changes));
        let (outbox, queued) = mpsc::unbounded_channel();
        let tasks = vec![
            tokio::spawn(forward(conn.clone(), Arc::clone(&local), queued)),
            tokio::spawn(listen(client, Arc::clone(&local), pubsub)),
            tokio::spawn(keep_presence(conn.clone(), Arc::clone(&local), node.clone(), changed)),
        ];
        tracing::info!(%node, "hub: Redis");
        Ok(RedisHub { local, node, outbox, conn, tasks })
    }

    /// The nodes heard of within [`NODE_TTL_MS`], this one excepted.
    async fn other_nodes(&self) -> redis::RedisResult<Vec<String>> {
        let mut conn = self.conn.clone();
        let nodes: Vec<String> = redis::cmd("ZRANGEBYSCORE")
            .arg(NODES)
            .arg(now_ms() - NODE_TTL_MS)
            .arg("+inf")
            .query_async(&mut conn)
            .await?;
        Ok(nodes.into_iter().filter(|n| *n != self.node).collect())
    }

    async fn others_subscribed(&self, channel: &Channel) -> redis::RedisResult<usize> {
        let nodes = self.other_nodes().await?;
        if nodes.is_empty() {
            return Ok(0);
        }
        let mut pipe = redis::pipe();
        for node in &nodes {
            let (key, field) = presence_key(node, channel);
            pipe.cmd("HGET").arg(key).arg(field);
        }
        let counts: Vec<Option<usize>> = pipe.query_async(&mut self.conn.clone()).await?;
        Ok(counts.into_iter().flatten().sum())
    }

    async fn others_agents(&self) -> redis::RedisResult<Vec<String>> {
        let nodes = self.other_nodes().await?;
        if nodes.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for node in &nodes {
            pipe.cmd("HKEYS").arg(format!("{PREFIX}presence:{node}:a"));
        }
        let lists: Vec<Vec<String>> = pipe.query_async(&mut self.conn.clone()).await?;
        Ok(lists.into_iter().flatten().collect())
    }
}

impl Drop for RedisHub {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Hub for RedisHub {
    fn publish(&self, channel: &Channel, frame: &ServerFrame) {
        // Kept in order by one task; `forward` delivers here directly
        // whatever Redis does not take.
        if let Err(mpsc::error::SendError(Outgoing::Frame(channel, frame))) =
            self.outbox.send(Outgoing::Frame(channel.clone(), Box::new(frame.clone())))
        {
            self.local.deliver(&channel, &frame);
        }
    }

    fn flush(&self) -> BoxFuture<'_, ()> {
        let (done, flushed) = tokio::sync::oneshot::channel();
        let sent = self.outbox.send(Outgoing::Flushed(done)).is_ok();
        Box::pin(async move {
            if sent {
                let _ = flushed.await;
            }
        })
    }

    fn subscribe(&self, channel: Channel) -> Subscription {
        self.local.subscribe(channel)
    }

    /// This node's count, exact, plus what the other nodes last wrote.
    fn subscribers<'a>(&'a self, channel: &'a Channel) -> BoxFuture<'a, usize> {
        Box::pin(async move {
            let here = self.local.count(channel);
            match self.others_subscribed(channel).await {
                Ok(others) => here + others,
                Err(e) => {
                    tracing::warn!(error = %e, "Redis unreachable: counting this node's sockets only");
                    here
                }
            }
        })
    }

    fn online_agents(&self) -> BoxFuture<'_, Vec<String>> {
        Box::pin(async move {
            let mut agents: BTreeSet<String> = self.local.agents().into_iter().collect();
            match self.others_agents().await {
                Ok(others) => agents.extend(others),
                Err(e) => tracing::warn!(error = %e, "Redis unreachable: only this node's agents count as online"),
            }
            agents.into_iter().collect()
        })
    }

    fn queue_changed(&self) {
        // In order with the frames; this node hears it back from Redis.
        if self.outbox.send(Outgoing::Queue).is_err() {
            self.local.queue_changed();
        }
    }

    fn here(&self) -> &Arc<Local> {
        &self.local
    }
}

/// A token bucket in a Redis hash (`t` tokens, `at` ms, Redis' own clock so
/// the nodes' clocks do not matter), refilled, checked and spent in one
/// step; the hash expires once it would be full again.
const TAKE: &str = r"
local cap, per_ms, cost, need = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local held = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(held[1]) or cap
local at = tonumber(held[2]) or now
tokens = math.min(cap, tokens + math.max(0, now - at) * per_ms)
local wait = 0
if tokens >= need then
  tokens = tokens - cost
else
  wait = math.max(1, math.ceil((math.min(need, cap) - tokens) / per_ms))
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((cap - tokens) / per_ms) + 1000)
return wait
";

impl SharedBuckets for RedisHub {
    fn take<'a>(
        &'a self,
        bucket: String,
        capacity: f64,
        per_ms: f64,
        cost: f64,
        need: f64,
    ) -> BoxFuture<'a, Result<Result<(), u64>, String>> {
        Box::pin(async move {
            static SCRIPT: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| redis::Script::new(TAKE));
            let wait: u64 = SCRIPT
                .key(format!("{PREFIX}rate:{bucket}"))
                .arg(capacity)
                .arg(per_ms)
                .arg(cost)
                .arg(need)
                .invoke_async(&mut self.conn.clone())
                .await
                .map_err(|e| e.to_string())?;
            Ok(if wait == 0 { Ok(()) } else { Err(wait) })
        })
    }
}

async fn subscribe(client: &redis::Client) -> redis::RedisResult<PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.psubscribe(format!("{PREFIX}f:*")).await?;
    pubsub.subscribe(QUEUE).await?;
    Ok(pubsub)
}

/// Publishes what the node's code published, in order, as pipelines of
/// what has queued up meanwhile. What Redis does not take is delivered to
/// this node's sockets directly (other nodes' sockets catch up when their
/// subscription comes back).
async fn forward(mut conn: ConnectionManager, local: Arc<Local>, mut queued: mpsc::UnboundedReceiver<Outgoing>) {
    let mut batch = Vec::new();
    while queued.recv_many(&mut batch, 256).await > 0 {
        let mut frames = Vec::new();
        let mut flushed = Vec::new();
        // One broadcast for all the queue changes of a batch.
        let mut queue = false;
        for out in batch.drain(..) {
            match out {
                Outgoing::Frame(channel, frame) => frames.push((channel, frame)),
                Outgoing::Queue => queue = true,
                Outgoing::Flushed(done) => flushed.push(done),
            }
        }
        if !frames.is_empty() || queue {
            let mut pipe = redis::pipe();
            for (channel, frame) in &frames {
                pipe.cmd("PUBLISH").arg(topic(channel)).arg(frame.to_json()).ignore();
            }
            if queue {
                pipe.cmd("PUBLISH").arg(QUEUE).arg("").ignore();
            }
            if let Err(e) = pipe.query_async::<()>(&mut conn).await {
                tracing::warn!(error = %e, frames = frames.len(), "Redis unreachable: frames delivered on this node only");
                for (channel, frame) in &frames {
                    local.deliver(channel, frame);
                }
                if queue {
                    local.queue_changed();
                }
            }
        }
        for done in flushed {
            let _ = done.send(());
        }
    }
}

/// Hands every frame from Redis to this node's sockets; when the
/// subscription is lost, subscribes again with backoff and then ends every
/// socket, so each resumes from the store.
async fn listen(client: redis::Client, local: Arc<Local>, first: PubSub) {
    let mut pubsub = Some(first);
    let mut backoff = Duration::from_millis(100);
    loop {
        let mut current = match pubsub.take() {
            Some(p) => p,
            None => match subscribe(&client).await {
                Ok(p) => {
                    // Lists changed meanwhile are sent again too.
                    local.queue_changed();
                    let ended = local.end_all();
                    tracing::info!(sockets = ended, "Redis is back: this node's sockets resume from the store");
                    backoff = Duration::from_millis(100);
                    p
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "Redis unreachable");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            },
        };
        let mut messages = current.on_message();
        while let Some(message) = messages.next().await {
            if message.get_channel_name() == QUEUE {
                local.queue_changed();
                continue;
            }
            let Some(channel) = channel_of(message.get_channel_name()) else {
                continue;
            };
            match std::str::from_utf8(message.get_payload_bytes()).map(ServerFrame::from_json) {
                Ok(Ok(frame)) => local.deliver(&channel, &frame),
                _ => tracing::warn!(topic = message.get_channel_name(), "an unreadable frame from Redis was dropped"),
            }
        }
        tracing::warn!("lost the Redis subscription: frames from other nodes wait until it is back");
    }
}

/// Keeps this node's presence in Redis: every change as it happens, the
/// whole of it on every heartbeat.
async fn keep_presence(
    mut conn: ConnectionManager,
    local: Arc<Local>,
    node: String,
    mut changed: mpsc::UnboundedReceiver<Channel>,
) {
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let keys = [format!("{PREFIX}presence:{node}:v"), format!("{PREFIX}presence:{node}:a")];
    loop {
        let mut pipe = redis::pipe();
        tokio::select! {
            _ = heartbeat.tick() => {
                pipe.atomic();
                for key in &keys {
                    pipe.cmd("DEL").arg(key).ignore();
                }
                for (channel, count) in local.counts() {
                    let (key, field) = presence_key(&node, &channel);
                    pipe.cmd("HSET").arg(key).arg(field).arg(count).ignore();
                }
                let now = now_ms();
                pipe.cmd("ZADD").arg(NODES).arg(now).arg(&node).ignore();
                pipe.cmd("ZREMRANGEBYSCORE").arg(NODES).arg("-inf").arg(now - 3 * NODE_TTL_MS).ignore();
            }
            Some(first) = changed.recv() => {
                let mut channels = HashSet::from([first]);
                while let Ok(more) = changed.try_recv() {
                    channels.insert(more);
                }
                for channel in channels {
                    let (key, field) = presence_key(&node, &channel);
                    match local.count(&channel) {
                        0 => pipe.cmd("HDEL").arg(key).arg(field).ignore(),
                        n => pipe.cmd("HSET").arg(key).arg(field).arg(n).ignore(),
                    };
                }
            }
            else => return,
        }
        for key in &keys {
            pipe.cmd("PEXPIRE").arg(key).arg(NODE_TTL_MS).ignore();
        }
        if let Err(e) = pipe.query_async::<()>(&mut conn).await {
            tracing::debug!(error = %e, "presence not written (Redis unreachable); rewritten whole when it is back");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_name_their_channel_and_nothing_else() {
        for channel in [Channel::Visitor("v_1".into()), Channel::Agent("ag_2".into())] {
            assert_eq!(channel_of(&topic(&channel)), Some(channel));
        }
        assert_eq!(channel_of("helpdock:f:x:1"), None);
        assert_eq!(channel_of("other:f:v:1"), None);
    }
}
