//! Lookups in the national databases. Each needs the scope `upstream:<name>:read`; personal data needs a declared
//! legal purpose, is written to the access log before it is returned, and comes with identification numbers masked
//! unless the caller holds `upstream:<name>:identifiers`. Root fields are nullable, so when one upstream fails a query
//! still returns the others' data, with an `UPSTREAM_*` error for the failed field.

use async_graphql::{Context, InputObject, Object, SelectionField};

use super::context::{caller, federation};
use crate::{
    auth::require_scope,
    codes::{parse_social_insurance_code, parse_twelve_digits, PersonalId, TaxCode},
    error::{Error, Result},
    federation::{
        adapters::{
            decode, decode_as, Adapter, Birth, EnterpriseByCode, Insurance, JudicialRequest,
            Marriages, Parcel, ParcelsOfOwner, VerifyCitizen,
        },
        batch::{CitizenDataLoader, CitizenKey},
        records::{
            mask_identifiers, Citizen, CitizenVerification, CivilStatus, Enterprise,
            InsuranceParticipation, JudicialRecordRequest, LandParcel,
        },
        LegalPurpose, Purpose,
    },
    limits::cost,
};

/// Why the caller needs the data: a legal basis and the dossier or case it serves.
#[derive(InputObject)]
pub struct PurposeInput {
    pub basis: LegalPurpose,
    /// The dossier, case or consent reference (e.g. `000.00.53.H48-220921-0099`).
    pub reference: String,
}

/// The fields a caller selected under the current field, as dotted paths: what the access log records as returned.
fn selected(ctx: &Context<'_>) -> Vec<String> {
    fn walk(prefix: &str, field: SelectionField<'_>, out: &mut Vec<String>) {
        for f in field.selection_set() {
            let path = if prefix.is_empty() {
                f.name().to_owned()
            } else {
                format!("{prefix}.{}", f.name())
            };
            if f.name() != "__typename" {
                let before = out.len();
                walk(&path, f, out);
                if out.len() == before {
                    out.push(path);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", ctx.field(), &mut out);
    out.sort();
    out.dedup();
    out
}

/// Runs a personal-data adapter for the caller: scope, purpose, access log, masking.
async fn personal<A: Adapter>(
    ctx: &Context<'_>,
    purpose: &PurposeInput,
    adapter: A,
) -> Result<Option<A::Output>> {
    let principal = require_scope(ctx, &format!("upstream:{}:read", A::SERVICE))?;
    let purpose = Purpose::new(purpose.basis, &purpose.reference)?;
    let unmasked = principal.has_scope(&format!("upstream:{}:identifiers", A::SERVICE));
    federation(ctx)
        .map_err(|_| Error::AccessLogUnavailable)?
        .lookup(&adapter, caller(ctx)?, &purpose, selected(ctx), unmasked)
        .await
}

/// Citizens through the request's loader (so concurrent fields share a batch call), masked unless the caller may
/// see full numbers.
async fn citizens(
    ctx: &Context<'_>,
    ids: Vec<PersonalId>,
    purpose: PurposeInput,
) -> async_graphql::Result<Vec<Citizen>> {
    let principal = require_scope(ctx, "upstream:population:read")?;
    let checked = Purpose::new(purpose.basis, &purpose.reference)?;
    let fields = selected(ctx);
    let keys: Vec<CitizenKey> = ids
        .into_iter()
        .map(|id| CitizenKey {
            id,
            basis: checked.basis,
            reference: checked.reference.clone(),
            fields: fields.clone(),
        })
        .collect();
    let found = ctx
        .data::<CitizenDataLoader>()?
        .load_many(keys.iter().cloned())
        .await?;
    let full = principal.has_scope("upstream:population:identifiers");
    let mut out = Vec::new();
    for key in &keys {
        if let Some(mut record) = found.get(key).cloned() {
            if !full {
                mask_identifiers(&mut record);
            }
            out.push(decode_as("population", record)?);
        }
    }
    Ok(out)
}

fn exactly_one<'a>(
    a: (&str, &'a Option<String>),
    b: (&str, &'a Option<String>),
) -> Result<(&'a str, bool)> {
    match (a.1, b.1) {
        (Some(x), None) => Ok((x, true)),
        (None, Some(y)) => Ok((y, false)),
        _ => Err(Error::bad_input(
            a.0,
            format!("give exactly one of `{}` and `{}`", a.0, b.0),
        )),
    }
}

#[derive(Default)]
pub struct NationalQuery;

#[Object]
impl NationalQuery {
    /// A citizen from the national population database (scope `upstream:population:read`, a legal purpose). All
    /// `citizen` fields of one request go out together, as one call to the database's batch endpoint.
    #[graphql(complexity = "cost::lookup(child_complexity)")]
    async fn citizen(
        &self,
        ctx: &Context<'_>,
        personal_id: String,
        purpose: PurposeInput,
    ) -> async_graphql::Result<Option<Citizen>> {
        let id = PersonalId::parse("personalId", &personal_id)?;
        Ok(citizens(ctx, vec![id], purpose).await?.into_iter().next())
    }

    /// Several citizens (at most 100), batched like `citizen`. Every number asked for gets an access-log entry, and
    /// an unknown one a second entry saying nothing was returned (`nothingReturnedFor`); unknown numbers are left out.
    #[graphql(complexity = "cost::lookups(personal_ids.len(), child_complexity)")]
    async fn citizens(
        &self,
        ctx: &Context<'_>,
        personal_ids: Vec<String>,
        purpose: PurposeInput,
    ) -> async_graphql::Result<Vec<Citizen>> {
        if personal_ids.is_empty() || personal_ids.len() > 100 {
            return Err(Error::bad_input("personalIds", "give 1 to 100 numbers").into());
        }
        let ids = personal_ids
            .iter()
            .enumerate()
            .map(|(i, id)| PersonalId::parse(&format!("personalIds.{i}"), id))
            .collect::<Result<Vec<_>>>()?;
        citizens(ctx, ids, purpose).await
    }

    /// Does this number belong to this name and birth date? Only match / no match comes back (scope
    /// `upstream:population:read`, a legal purpose).
    #[graphql(complexity = "cost::lookup(child_complexity)")]
    async fn verify_citizen(
        &self,
        ctx: &Context<'_>,
        personal_id: String,
        full_name: String,
        birth_date: String,
        purpose: PurposeInput,
    ) -> async_graphql::Result<Option<CitizenVerification>> {
        let adapter = VerifyCitizen {
            id: PersonalId::parse("personalId", &personal_id)?,
            full_name: crate::text::clean(&full_name),
            birth_date: birth_date.trim().to_owned(),
        };
        Ok(personal(ctx, &purpose, adapter).await?)
    }

    /// An enterprise from the national business-registration database (scope `upstream:business:read`). The legal
    /// representative is personal data: selecting it needs a purpose and is logged; the rest is cached per agency.
    #[graphql(complexity = "cost::lookup(child_complexity)")]
    async fn enterprise(
        &self,
        ctx: &Context<'_>,
        code: String,
        purpose: Option<PurposeInput>,
    ) -> async_graphql::Result<Option<Enterprise>> {
        let adapter = EnterpriseByCode(TaxCode::parse("code", &code)?);
        if ctx.look_ahead().field("legalRepresentative").exists() {
            let purpose = purpose.ok_or_else(|| {
                Error::bad_input(
                    "purpose",
                    "the legal representative is personal data: state a purpose",
                )
            })?;
            return Ok(personal(ctx, &purpose, adapter).await?);
        }
        require_scope(ctx, "upstream:business:read")?;
        let (path, _) = adapter.request();
        let answer = federation(ctx)?
            .public(
                EnterpriseByCode::SERVICE,
                &path,
                caller(ctx)?,
                &selected(ctx),
            )
            .await?;
        Ok(answer.map(decode::<EnterpriseByCode>).transpose()?)
    }

    /// Insurance participation by social-insurance code or personal number (exactly one; scope
    /// `upstream:insurance:read`, a legal purpose).
    #[graphql(complexity = "cost::lookup(child_complexity)")]
    async fn insurance(
        &self,
        ctx: &Context<'_>,
        social_insurance_code: Option<String>,
        personal_id: Option<String>,
        purpose: PurposeInput,
    ) -> async_graphql::Result<Option<InsuranceParticipation>> {
        let (value, by_code) = exactly_one(
            ("socialInsuranceCode", &social_insurance_code),
            ("personalId", &personal_id),
        )?;
        let adapter = if by_code {
            Insurance::ByCode(parse_social_insurance_code("socialInsuranceCode", value)?)
        } else {
            Insurance::ByPerson(PersonalId::parse("personalId", value)?)
        };
        Ok(personal(ctx, &purpose, adapter).await?)
    }

    /// Land parcels by owner's personal number or by parcel id (exactly one; scope `upstream:land:read`, a purpose).
    #[graphql(complexity = "cost::lookups(cost::SHORT_LIST, child_complexity)")]
    async fn land_parcels(
        &self,
        ctx: &Context<'_>,
        owner_personal_id: Option<String>,
        parcel_id: Option<String>,
        purpose: PurposeInput,
    ) -> async_graphql::Result<Option<Vec<LandParcel>>> {
        let (value, by_owner) = exactly_one(
            ("ownerPersonalId", &owner_personal_id),
            ("parcelId", &parcel_id),
        )?;
        if by_owner {
            let owner = ParcelsOfOwner(PersonalId::parse("ownerPersonalId", value)?);
            return Ok(Some(
                personal(ctx, &purpose, owner).await?.unwrap_or_default(),
            ));
        }
        let parcel = Parcel(parse_twelve_digits("parcelId", value)?);
        Ok(personal(ctx, &purpose, parcel).await?.map(|p| vec![p]))
    }

    /// A person's birth and marriage records (scope `upstream:civil-status:read`, a legal purpose).
    #[graphql(complexity = "cost::lookup(child_complexity)")]
    async fn civil_status(
        &self,
        ctx: &Context<'_>,
        personal_id: String,
        purpose: PurposeInput,
    ) -> async_graphql::Result<Option<CivilStatus>> {
        let id = PersonalId::parse("personalId", &personal_id)?;
        let birth = personal(ctx, &purpose, Birth(id.clone())).await?;
        let marriages = personal(ctx, &purpose, Marriages(id))
            .await?
            .unwrap_or_default();
        if birth.is_none() && marriages.is_empty() {
            return Ok(None);
        }
        Ok(Some(CivilStatus { birth, marriages }))
    }

    /// The status of a request for a judicial-record certificate (scope `upstream:judicial:read`, a legal purpose).
    #[graphql(complexity = "cost::lookup(child_complexity)")]
    async fn judicial_record_request(
        &self,
        ctx: &Context<'_>,
        request_id: String,
        purpose: PurposeInput,
    ) -> async_graphql::Result<Option<JudicialRecordRequest>> {
        let adapter = JudicialRequest(parse_twelve_digits("requestId", &request_id)?);
        Ok(personal(ctx, &purpose, adapter).await?)
    }
}
