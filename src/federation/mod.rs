//! Federation: the national databases behind one service. It owns the upstream clients and the access log, and holds
//! the rules every personal-data lookup follows: a declared legal purpose, the upstream's scope, an access-log entry
//! written before any data is returned, and no cache shared between callers.

pub mod adapters;
pub mod batch;
pub mod cache;
pub mod connection;
pub mod grants;
pub mod purpose;
pub mod records;
#[cfg(test)]
mod tests;

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use serde_json::Value;

pub use grants::{Grants, Need};
pub use purpose::{LegalPurpose, Purpose};

use crate::{
    access_log::{Access, AccessLog},
    error::{Error, Result},
    upstream::{Caller, Upstream, UpstreamSettings},
};

pub struct Federation {
    upstreams: BTreeMap<String, Arc<Upstream>>,
    pub access_log: AccessLog,
    cache: cache::ResponseCache,
    /// Asked before every upstream call: the data-sharing grant the lookup relies on.
    grants: Arc<dyn Grants>,
}

/// A personal-data lookup: which upstream, what is looked up, for whom, for what.
pub struct PersonalLookup<'a> {
    pub upstream: &'a str,
    pub operation: &'static str,
    /// `citizen`, `enterprise`, `parcel`, ...: the kind of identifier, part of its keyed hash.
    pub subject_kind: &'static str,
    pub subject_id: &'a str,
    pub caller: &'a Caller,
    pub purpose: &'a Purpose,
    /// The fields the caller asked for: what the access log records as returned.
    pub fields: Vec<String>,
}

impl PersonalLookup<'_> {
    /// What this lookup asks of the grants.
    fn need(&self, calls: u32) -> Need<'_> {
        Need {
            caller: self.caller,
            service: self.upstream,
            purpose: Some(self.purpose.basis),
            fields: &self.fields,
            calls,
        }
    }

    /// The access-log entry of this lookup, which relies on `grant_id`: what is asked, of whom, about whom and why,
    /// all known before the upstream answers.
    fn access(&self, grant_id: Option<i64>) -> Access {
        Access {
            actor: self.caller.subject.clone(),
            agency_code: self.caller.agency.clone(),
            purpose: self.purpose.basis.as_str().to_owned(),
            purpose_ref: self.purpose.reference.clone(),
            upstream: self.upstream.to_owned(),
            operation: self.operation.to_owned(),
            subject_kind: self.subject_kind,
            subject_id: self.subject_id.to_owned(),
            fields: self.fields.clone(),
            request_id: self.caller.request_id.clone(),
            grant_id,
            nothing_returned_for: None,
        }
    }
}

/// The entry recording that the lookup logged as `entry` (whose access was `access`) returned nothing: the same who,
/// whom and why, no fields.
fn nothing_returned(mut access: Access, entry: i64) -> Access {
    access.fields = Vec::new();
    access.nothing_returned_for = Some(entry);
    access
}

/// The error of a failed call to `upstream`: its name and the safe cause.
fn upstream_error(upstream: &str) -> impl FnOnce(crate::upstream::UpstreamError) -> Error + '_ {
    move |cause| Error::Upstream {
        upstream: upstream.to_owned(),
        cause,
    }
}

impl Federation {
    /// The clients of the upstreams of `settings`, counted in `metrics`, writing personal lookups to `access_log`,
    /// each lookup first authorized by `grants`.
    pub fn new(
        settings: Vec<UpstreamSettings>,
        access_log: AccessLog,
        grants: Arc<dyn Grants>,
        metrics: &crate::telemetry::Metrics,
    ) -> Federation {
        // One pool for every upstream: connections are kept per host anyway.
        let http = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(64)
            .connect_timeout(Duration::from_secs(2))
            .user_agent(concat!("lgsp-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        let cache = cache::ResponseCache::new(&settings, &metrics.cache("upstream_responses"));
        let upstreams = settings
            .into_iter()
            .map(|s| {
                let counted = metrics.upstream(&s.name);
                (
                    s.name.clone(),
                    Arc::new(Upstream::new(s, http.clone(), counted)),
                )
            })
            .collect();
        Federation {
            upstreams,
            access_log,
            cache,
            grants,
        }
    }

    pub fn upstreams(&self) -> impl Iterator<Item = &Arc<Upstream>> {
        self.upstreams.values()
    }

    /// The configured upstream `name`; `UPSTREAM_UNAVAILABLE` when the hub has none by that name.
    pub fn upstream(&self, name: &str) -> Result<&Upstream> {
        self.upstreams
            .get(name)
            .map(|u| u.as_ref())
            .ok_or_else(|| upstream_error(name)(crate::upstream::UpstreamError::NotConfigured))
    }

    /// Whether `agency` holds an active grant for `upstream` now.
    pub async fn holds_grant(&self, agency: &str, upstream: &str) -> Result<bool> {
        self.grants.holds(agency, upstream).await
    }

    /// Looks up personal data: checks the grant (no grant, no call), then calls the upstream with the caller's
    /// identity and purpose while its access-log entry is written, and hands the data back only once both are done.
    /// No entry, no data. Running the two at once hides the entry's commit behind the upstream's latency; a lookup
    /// that returned nothing gets a second entry saying so ([`nothing_returned`]).
    #[tracing::instrument(
        skip_all,
        fields(
            upstream = lookup.upstream,
            operation = lookup.operation,
            purpose = lookup.purpose.basis.as_str()
        )
    )]
    pub async fn personal(
        &self,
        lookup: PersonalLookup<'_>,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Option<Value>> {
        let upstream = self.upstream(lookup.upstream)?;
        let grant = self.grants.authorize(lookup.need(1)).await?;
        let caller = lookup.caller.with_purpose(lookup.purpose.header());
        let call = async {
            match body {
                None => upstream.get(path, &caller).await,
                Some(b) => upstream.post(path, b, &caller, true).await,
            }
        };
        // Both run to the end: a logged lookup whose call failed still needs its outcome entry.
        let (answer, logged) = self
            .access_log
            .record_alongside(vec![lookup.access(grant)], call)
            .await;
        let entry = logged?
            .first()
            .copied()
            .ok_or(Error::AccessLogUnavailable)?;
        if !matches!(answer, Ok(Some(_))) {
            self.record_nothing_returned(
                vec![nothing_returned(lookup.access(grant), entry)],
                answer.is_err(),
            )
            .await?;
        }
        answer.map_err(upstream_error(lookup.upstream))
    }

    /// Records `outcomes`, the entries saying that logged lookups returned nothing. When their `call_failed`, the
    /// caller gets the upstream's error whatever happens here, so an entry that cannot be written is reported in the
    /// log (and the writer's metrics) instead of replacing that error.
    async fn record_nothing_returned(
        &self,
        outcomes: Vec<Access>,
        call_failed: bool,
    ) -> Result<()> {
        let recorded = self.access_log.record_all(outcomes).await;
        match recorded {
            Err(e) if call_failed => {
                tracing::error!(error = ?e, "could not record that a logged lookup returned nothing");
                Ok(())
            }
            recorded => recorded.map(|_| ()),
        }
    }

    /// Runs adapter `a` as a personal-data lookup (see [`Federation::personal`]); identification numbers are masked
    /// unless `unmasked`.
    pub async fn lookup<A: adapters::Adapter>(
        &self,
        a: &A,
        caller: &Caller,
        purpose: &Purpose,
        fields: Vec<String>,
        unmasked: bool,
    ) -> Result<Option<A::Output>> {
        let (subject_kind, subject_id) = a.subject();
        let (path, body) = a.request();
        let answer = self
            .personal(
                PersonalLookup {
                    upstream: A::SERVICE,
                    operation: A::OPERATION,
                    subject_kind,
                    subject_id,
                    caller,
                    purpose,
                    fields,
                },
                &path,
                body.as_ref(),
            )
            .await?;
        answer
            .map(|mut v| {
                if !unmasked {
                    records::mask_identifiers(&mut v);
                }
                adapters::decode::<A>(v)
            })
            .transpose()
    }

    /// Looks up several citizens in one call to the population database's batch endpoint; every number asked for gets
    /// its access-log entry, written while the call is in flight, before any record is returned, and a second one when
    /// nothing was found for it.
    #[tracing::instrument(
        skip_all,
        fields(upstream = "population", count = ids.len(), purpose = purpose.basis.as_str())
    )]
    pub async fn citizens_batch(
        &self,
        ids: &[(crate::codes::PersonalId, Vec<String>)],
        caller: &Caller,
        purpose: &Purpose,
    ) -> Result<Vec<Value>> {
        const SERVICE: &str = "population";
        // One authorization per distinct selection (fields of one request usually share it), counting its people.
        let mut grants: Vec<(&[String], Option<i64>)> = Vec::new();
        for (_, fields) in ids {
            if grants.iter().any(|(f, _)| *f == fields.as_slice()) {
                continue;
            }
            let calls = ids.iter().filter(|(_, f)| f == fields).count();
            let grant = self
                .grants
                .authorize(Need {
                    caller,
                    service: SERVICE,
                    purpose: Some(purpose.basis),
                    fields,
                    calls: u32::try_from(calls).unwrap_or(u32::MAX),
                })
                .await?;
            grants.push((fields, grant));
        }
        let access_of = |(id, fields): &(crate::codes::PersonalId, Vec<String>)| {
            let grant = grants
                .iter()
                .find(|(f, _)| *f == fields.as_slice())
                .and_then(|(_, g)| *g);
            PersonalLookup {
                upstream: SERVICE,
                operation: "citizens",
                subject_kind: "citizen",
                subject_id: id.as_str(),
                caller,
                purpose,
                fields: fields.clone(),
            }
            .access(grant)
        };
        let population = self.upstream(SERVICE)?;
        let with_purpose = caller.with_purpose(purpose.header());
        let body =
            serde_json::json!({ "ids": ids.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>() });
        let call = async {
            population
                .post("/citizens:batch", &body, &with_purpose, true)
                .await
                .map_err(upstream_error(SERVICE))
        };
        // As in `personal`: the entries are written while the call is in flight, and both run to the end.
        let (mut answer, logged) = self
            .access_log
            .record_alongside(ids.iter().map(access_of).collect(), call)
            .await;
        let entries = logged?;
        let found: Vec<Value> = match answer
            .as_mut()
            .ok()
            .and_then(Option::as_mut)
            .and_then(|a| a.get_mut("citizens"))
            .map(Value::take)
        {
            Some(Value::Array(found)) => found,
            _ => Vec::new(),
        };
        let found_ids: std::collections::HashSet<&str> = found
            .iter()
            .filter_map(|c| c.get("personalId").and_then(Value::as_str))
            .collect();
        let nothing = ids
            .iter()
            .zip(entries)
            .filter(|((id, _), _)| !found_ids.contains(id.as_str()))
            .map(|(key, entry)| nothing_returned(access_of(key), entry))
            .collect();
        self.record_nothing_returned(nothing, answer.is_err())
            .await?;
        answer?;
        Ok(found)
    }

    /// Looks up data that is not personal (the `fields` selected): it needs a grant of those fields too, cached
    /// answers included; cached per caller agency (so nothing crosses between agencies).
    #[tracing::instrument(
        skip_all,
        fields(upstream = upstream, route = crate::upstream::route(path), cached = false)
    )]
    pub async fn public(
        &self,
        upstream: &str,
        path: &str,
        caller: &Caller,
        fields: &[String],
    ) -> Result<Option<Value>> {
        self.grants
            .authorize(Need {
                caller,
                service: upstream,
                purpose: None,
                fields,
                calls: 1,
            })
            .await?;
        if let Some(hit) = self.cache.get(upstream, &caller.agency, path) {
            tracing::Span::current().record("cached", true);
            return Ok(Some(hit));
        }
        let answer = self
            .upstream(upstream)?
            .get(path, caller)
            .await
            .map_err(upstream_error(upstream))?;
        if let Some(v) = &answer {
            self.cache.put(upstream, &caller.agency, path, v.clone());
        }
        Ok(answer)
    }
}
