//! Batching of citizen lookups: every `citizen` field of one request (aliases, or lookups nested in lists) waits for
//! the DataLoader's window and then goes out as one call to the population database's batch endpoint per purpose.
//! Each person still gets an access-log entry with the fields their own field selected.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use serde_json::Value;

use super::{Federation, LegalPurpose, Purpose};
use crate::{codes::PersonalId, upstream::Caller};

/// One citizen lookup of the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CitizenKey {
    pub id: PersonalId,
    pub basis: LegalPurpose,
    pub reference: String,
    /// What the caller selected, for the access log.
    pub fields: Vec<String>,
}

/// The request's citizen loader: it calls upstream as the request's caller.
pub struct CitizenLoader {
    pub federation: Arc<Federation>,
    pub caller: Caller,
}

/// The request's loader of citizens.
pub type CitizenDataLoader = async_graphql::dataloader::DataLoader<CitizenLoader>;

/// No timed window: the fields of one request enqueue their keys in the same poll, and a zero sleep still lets that
/// poll finish before the batch goes out. (The default 1 ms, rounded up by tokio's millisecond timer, added about a
/// millisecond to every lookup in bench/federation.sh.)
const WINDOW: std::time::Duration = std::time::Duration::ZERO;

pub fn citizen_loader(federation: Arc<Federation>, caller: Caller) -> CitizenDataLoader {
    async_graphql::dataloader::DataLoader::new(CitizenLoader { federation, caller }, tokio::spawn)
        .delay(WINDOW)
}

/// The population database answers at most this many numbers per batch call.
const MAX_BATCH: usize = 100;

impl Loader<CitizenKey> for CitizenLoader {
    type Value = Value;
    type Error = async_graphql::Error;

    #[tracing::instrument(level = "debug", skip_all, fields(keys = keys.len()))]
    async fn load(&self, keys: &[CitizenKey]) -> Result<HashMap<CitizenKey, Value>, Self::Error> {
        let mut by_purpose: HashMap<(LegalPurpose, &str), Vec<&CitizenKey>> = HashMap::new();
        for key in keys {
            by_purpose
                .entry((key.basis, key.reference.as_str()))
                .or_default()
                .push(key);
        }
        let mut found = HashMap::new();
        for ((basis, reference), group) in by_purpose {
            let purpose = Purpose::new(basis, reference)?;
            for chunk in group.chunks(MAX_BATCH) {
                let ids: Vec<(PersonalId, Vec<String>)> = chunk
                    .iter()
                    .map(|k| (k.id.clone(), k.fields.clone()))
                    .collect();
                let records = self
                    .federation
                    .citizens_batch(&ids, &self.caller, &purpose)
                    .await?;
                for record in records {
                    let Some(id) = record.get("personalId").and_then(Value::as_str) else {
                        continue;
                    };
                    for key in chunk.iter().filter(|k| k.id.as_str() == id) {
                        found.insert((*key).clone(), record.clone());
                    }
                }
            }
        }
        Ok(found)
    }
}
