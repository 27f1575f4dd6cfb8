//! The data-sharing settings of each federated service (`[sharing.<service>]` in the file): the provider's X-Road
//! code and subsystem, the form of sharing, automatic grants for shared use, and the agencies that decide requests
//! besides the one `registry:admin` names. Provider codes are configuration, never code: the domain brief gives the
//! codes of only a few agencies, and no code is made up here.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::ConfigError;

/// The form of sharing of a service (domain brief; *(unverified)*, hence configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SharingForm {
    /// Shared use (dùng chung): any entitled agency; with `automatic_grants`, every registered agency holds a grant.
    Shared,
    /// Restricted use (dùng riêng): a sector, a locality or named agencies, each by an approved request.
    Restricted,
    /// Ad-hoc requests only (theo yêu cầu đặc thù): the default, so that until an operator says otherwise every
    /// access rests on a request someone decided.
    #[default]
    AdHoc,
}

/// One service's `[sharing.<service>]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharingFile {
    /// The provider agency's electronic code (QĐ 20/2020), e.g. `000.00.00.G12`: the `<provider>` of
    /// `VN:GOV:<provider>:<subsystem>`. Unset: the identifier is absent and the API says the code is not configured.
    pub provider_code: Option<String>,
    /// The X-Road subsystem [default: the service's name].
    pub subsystem: Option<String>,
    /// `shared`, `restricted` or `ad_hoc` [default: ad_hoc].
    pub form: Option<SharingForm>,
    /// Shared use only: every registered agency gets a grant (recorded as such) at its first lookup [default: false].
    pub automatic_grants: Option<bool>,
    /// Calls a day of an automatic grant [default: 1000].
    pub automatic_calls_per_day: Option<u32>,
    /// Codes of agencies that also decide requests for this service (e.g. for the mock services) [default: none].
    pub deciders: Option<Vec<String>>,
    /// Marks the values of this table as demonstration values (shown as such by the API) [default: false].
    pub demonstration: Option<bool>,
}

/// One service's validated sharing settings.
#[derive(Debug, Clone, Default)]
pub struct ServiceSharing {
    pub provider_code: Option<String>,
    pub subsystem: Option<String>,
    pub form: SharingForm,
    pub automatic_grants: bool,
    pub automatic_calls_per_day: u32,
    pub deciders: Vec<String>,
    pub demonstration: bool,
}

/// The validated sharing settings: per service (services without a table take the defaults), and whether the zero
/// set-up creates demonstration grants.
#[derive(Debug, Clone, Default)]
pub struct SharingConfig {
    pub services: BTreeMap<String, ServiceSharing>,
    /// Create demonstration grants when the hub seeds an empty database [default: true, false in production].
    pub demo_grants: bool,
}

impl SharingConfig {
    /// The settings of `service` (the defaults when it has no table).
    pub fn service(&self, service: &str) -> ServiceSharing {
        self.services.get(service).cloned().unwrap_or_default()
    }
}

const DEFAULT_AUTOMATIC_CALLS_PER_DAY: u32 = 1000;

pub(super) fn sharing_config(
    files: &BTreeMap<String, SharingFile>,
    demo_grants: bool,
) -> Result<SharingConfig, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        key: "sharing",
        message,
    };
    let mut services = BTreeMap::new();
    for (name, f) in files {
        if !crate::upstream::SERVICES.iter().any(|s| s.name == name) {
            return Err(invalid(format!(
                "unknown service `{name}` (known: {})",
                crate::upstream::SERVICES.map(|s| s.name).join(", ")
            )));
        }
        let code = |c: &str, what: &str| {
            crate::codes::AgencyCode::parse("sharing", c)
                .map(|c| c.as_str().to_owned())
                .map_err(|_| {
                    invalid(format!(
                        "[sharing.{name}] {what} `{c}` is not an agency code like 000.00.00.G12"
                    ))
                })
        };
        let provider_code = f
            .provider_code
            .as_deref()
            .map(|c| code(c, "provider_code"))
            .transpose()?;
        let deciders = f
            .deciders
            .iter()
            .flatten()
            .map(|c| code(c, "deciders"))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(sub) = &f.subsystem {
            if sub.is_empty()
                || !sub
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                return Err(invalid(format!(
                    "[sharing.{name}] subsystem must be letters, digits, `-`, `_` or `.`"
                )));
            }
        }
        let form = f.form.unwrap_or_default();
        let automatic_grants = f.automatic_grants.unwrap_or(false);
        if automatic_grants && form != SharingForm::Shared {
            return Err(invalid(format!(
                "[sharing.{name}] automatic_grants needs form = \"shared\": only shared use grants every agency"
            )));
        }
        let automatic_calls_per_day = f
            .automatic_calls_per_day
            .unwrap_or(DEFAULT_AUTOMATIC_CALLS_PER_DAY);
        if automatic_calls_per_day == 0 {
            return Err(invalid(format!(
                "[sharing.{name}] automatic_calls_per_day must be at least 1"
            )));
        }
        services.insert(
            name.clone(),
            ServiceSharing {
                provider_code,
                subsystem: f.subsystem.clone(),
                form,
                automatic_grants,
                automatic_calls_per_day,
                deciders,
                demonstration: f.demonstration.unwrap_or(false),
            },
        );
    }
    Ok(SharingConfig {
        services,
        demo_grants,
    })
}
