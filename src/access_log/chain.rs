//! The chain's arithmetic: keyed hashes of subjects and of entries. The key never enters the database, so someone who
//! can write the tables can still not forge a consistent chain.

use entities::access_log_entry;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The access log's secret, from which the subject key and the chain key are derived.
#[derive(Clone)]
pub struct ChainKeys {
    subject: Vec<u8>,
    chain: Vec<u8>,
}

impl std::fmt::Debug for ChainKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKeys(***)")
    }
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
    let mut m = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl ChainKeys {
    pub fn from_secret(secret: &[u8]) -> ChainKeys {
        ChainKeys {
            subject: mac(secret, &[b"lgsp-hub access-log subject"]).to_vec(),
            chain: mac(secret, &[b"lgsp-hub access-log chain"]).to_vec(),
        }
    }

    /// The keyed hash of a person's identifier: equal identifiers give equal hashes (so "who looked at X" works),
    /// and the identifier cannot be recovered or guessed from the log without the key.
    pub fn subject_hash(&self, upstream_kind: &str, identifier: &str) -> String {
        hex(&mac(
            &self.subject,
            &[upstream_kind.as_bytes(), identifier.trim().as_bytes()],
        ))
    }

    /// The hash of an entry, over every stored column but the hash itself (the previous hash included). The writer
    /// and the verifier both hash the row as stored, so they cannot disagree on what is covered.
    ///
    /// The grant an entry relied on is one more part, present only when there is a grant: an entry without one (all
    /// those written before grants existed) hashes exactly as it always did, so the chain written before stays valid.
    /// The lookup an outcome entry completes (`nothing_returned_for`) is added the same way.
    pub fn entry_hash(&self, e: &access_log_entry::Model) -> String {
        let seq = e.seq.to_be_bytes();
        let at = e.at_ms.to_be_bytes();
        let grant = e.grant_id.map(|g| format!("grant:{g}"));
        let nothing = e
            .nothing_returned_for
            .map(|s| format!("nothing-returned-for:{s}"));
        let mut parts: Vec<&[u8]> = vec![
            &seq,
            &at,
            e.actor.as_bytes(),
            e.agency_code.as_bytes(),
            e.purpose.as_bytes(),
            e.purpose_ref.as_bytes(),
            e.upstream.as_bytes(),
            e.operation.as_bytes(),
            e.subject_hash.as_bytes(),
            e.fields.as_bytes(),
            e.request_id.as_deref().unwrap_or("").as_bytes(),
            e.prev_hash.as_bytes(),
        ];
        for part in [&grant, &nothing].into_iter().flatten() {
            parts.push(part.as_bytes());
        }
        hex(&mac(&self.chain, &parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(prev: &str, fields: &str) -> access_log_entry::Model {
        access_log_entry::Model {
            seq: 1,
            at_ms: 5,
            actor: "a".into(),
            agency_code: "000.00.00.H48".into(),
            purpose: "PUBLIC_SERVICE".into(),
            purpose_ref: "HS-1".into(),
            upstream: "population".into(),
            operation: "citizen".into(),
            subject_hash: "s".into(),
            fields: fields.into(),
            request_id: None,
            prev_hash: prev.into(),
            grant_id: None,
            nothing_returned_for: None,
            hash: String::new(),
        }
    }

    #[test]
    fn every_column_and_the_key_change_the_hash() {
        let k = ChainKeys::from_secret(b"one");
        let base = k.entry_hash(&entry("", "fullName"));
        assert_eq!(base, k.entry_hash(&entry("", "fullName")));
        assert_ne!(base, k.entry_hash(&entry("x", "fullName")));
        assert_ne!(base, k.entry_hash(&entry("", "fullName,birthDate")));
        assert_ne!(
            base,
            ChainKeys::from_secret(b"two").entry_hash(&entry("", "fullName"))
        );
        // Length-prefixed parts: moving a boundary changes the hash.
        let mut shifted = entry("", "fullName");
        shifted.actor = "a0".into();
        shifted.agency_code = "00.00.H48".into();
        assert_ne!(base, k.entry_hash(&shifted));
    }

    #[test]
    fn a_grant_changes_the_hash_and_none_hashes_as_before_grants() {
        let k = ChainKeys::from_secret(b"one");
        let e = entry("p", "fullName");
        // The hash as it was computed before grants existed: an entry without a grant must keep it.
        let seq = e.seq.to_be_bytes();
        let at = e.at_ms.to_be_bytes();
        let before_grants = hex(&mac(
            &k.chain,
            &[
                &seq,
                &at,
                e.actor.as_bytes(),
                e.agency_code.as_bytes(),
                e.purpose.as_bytes(),
                e.purpose_ref.as_bytes(),
                e.upstream.as_bytes(),
                e.operation.as_bytes(),
                e.subject_hash.as_bytes(),
                e.fields.as_bytes(),
                b"",
                e.prev_hash.as_bytes(),
            ],
        ));
        assert_eq!(k.entry_hash(&e), before_grants);
        let mut with = entry("p", "fullName");
        with.grant_id = Some(7);
        assert_ne!(k.entry_hash(&with), before_grants);
        let mut other = with.clone();
        other.grant_id = Some(8);
        assert_ne!(k.entry_hash(&with), k.entry_hash(&other));
        // An outcome entry's link is covered too, and cannot pass for a grant of the same number.
        let mut outcome = entry("p", "");
        outcome.nothing_returned_for = Some(7);
        let mut granted = entry("p", "");
        granted.grant_id = Some(7);
        assert_ne!(k.entry_hash(&outcome), k.entry_hash(&granted));
        assert_ne!(k.entry_hash(&outcome), k.entry_hash(&entry("p", "")));
        let mut other_outcome = outcome.clone();
        other_outcome.nothing_returned_for = Some(8);
        assert_ne!(k.entry_hash(&outcome), k.entry_hash(&other_outcome));
    }

    #[test]
    fn subject_hashes_are_stable_keyed_and_per_kind() {
        let k = ChainKeys::from_secret(b"one");
        let h = k.subject_hash("citizen", "001203004567");
        assert_eq!(h, k.subject_hash("citizen", " 001203004567 "));
        assert_ne!(h, k.subject_hash("enterprise", "001203004567"));
        assert_ne!(
            h,
            ChainKeys::from_secret(b"two").subject_hash("citizen", "001203004567")
        );
        assert_eq!(h.len(), 64);
    }
}
