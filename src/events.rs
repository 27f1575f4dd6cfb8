//! Change events: what subscribers and the other replicas learn after a write commits.
//!
//! Every write appends an audit event in its own transaction (`store::audit::record`); once the transaction commits,
//! the store hands those events to [`Events::committed`]. Here they reach the subscribers of this process through a
//! broadcast channel. (Fan-out across replicas: see the PostgreSQL listener.)

use std::sync::Arc;

use entities::audit_event;
use tokio::sync::broadcast;

/// How many events a slow subscriber may fall behind before it skips (it is told how many it missed).
const CHANNEL_CAPACITY: usize = 1024;

/// One committed change, as subscribers see it: which entity, what happened, and who did it. No personal data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChangeEvent {
    /// The audit event's id.
    pub audit_id: i64,
    /// `information_system`, `agency`, `project`, ...
    pub entity: String,
    pub entity_key: String,
    /// `register`, `update`, `retire`, `propose_level`, `appraise_level`, `approve_level`, `reject_level`, ...
    pub action: String,
    pub agency_code: String,
    pub at_ms: i64,
}

impl From<&audit_event::Model> for ChangeEvent {
    fn from(e: &audit_event::Model) -> Self {
        ChangeEvent {
            audit_id: e.id,
            entity: e.entity.clone(),
            entity_key: e.entity_key.clone(),
            action: e.action.clone(),
            agency_code: e.agency_code.clone(),
            at_ms: e.at_ms,
        }
    }
}

/// The process's event channel. Cheap to clone.
#[derive(Clone)]
pub struct Events {
    sender: Arc<broadcast::Sender<ChangeEvent>>,
}

impl Default for Events {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(CHANNEL_CAPACITY);
        Events {
            sender: Arc::new(sender),
        }
    }
}

impl Events {
    /// Called by the store after a transaction that appended `events` has committed.
    pub fn committed(&self, events: &[audit_event::Model]) {
        for e in events {
            self.publish(ChangeEvent::from(e));
        }
    }

    /// Hands an event to this process's subscribers (none listening is fine).
    pub fn publish(&self, event: ChangeEvent) {
        let _ = self.sender.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.sender.subscribe()
    }
}
