//! The mock national databases as the hub sees them: the real `mock-upstreams` process over HTTP — tokens per
//! service, each service's records and identifier formats, determinism, the fault knobs, the admin API, the caller
//! log and the OpenAPI documents.

use lgsp_hub::upstream::SERVICES;
use serde_json::{json, Value};

use crate::mock::{MockUpstreams, ADMIN_KEY};

fn first(samples: &Value, kind: &str) -> String {
    samples[kind][0].as_str().expect(kind).to_owned()
}

fn is_digits(v: &Value, len: usize) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
}

fn is_date(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 10
            && s.as_bytes()[4] == b'-'
            && s.as_bytes()[7] == b'-'
            && s[..4].parse::<u32>().is_ok()
    })
}

/// The mocks live in a crate of their own with their own list of services: it must name the ones the hub federates.
#[test]
fn mock_serves_every_service_the_hub_knows() {
    let mut hub: Vec<&str> = SERVICES.iter().map(|s| s.name).collect();
    let mut mock: Vec<&str> = mock_upstreams::SERVICES.iter().map(|s| s.name).collect();
    hub.sort_unstable();
    mock.sort_unstable();
    assert_eq!(hub, mock);
}

#[tokio::test]
async fn mock_refuses_missing_foreign_and_unknown_tokens() {
    let mock = MockUpstreams::spawn(&[]);
    let id = first(&mock.samples().await, "citizens");
    let path = format!("/citizens/{id}");
    let (status, body) = mock.get("population", &path, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_token"))
    );
    let business = mock.token("business").await;
    assert_eq!(mock.get("population", &path, Some(&business)).await.0, 401);
    assert_eq!(
        mock.get("population", &path, Some("mock.forged")).await.0,
        401
    );
    let population = mock.token("population").await;
    assert_eq!(
        mock.get("population", &path, Some(&population)).await.0,
        200
    );
}

#[tokio::test]
async fn mock_token_endpoint_checks_client_credentials() {
    let mock = MockUpstreams::spawn(&["--client-secret", "land=s3cret"]);
    let url = |svc: &str| format!("{}/{svc}/oauth/token", mock.url());
    let grant = [("grant_type", "client_credentials")];
    let wrong = mock
        .client
        .post(url("population"))
        .basic_auth("lgsp-hub", Some("nope"))
        .form(&grant)
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.json::<Value>().await.expect("JSON")["error"],
        "invalid_client"
    );
    // A secret set at start replaces the default.
    let old = mock
        .client
        .post(url("land"))
        .basic_auth("lgsp-hub", Some("dev-secret-land"))
        .form(&grant)
        .send()
        .await
        .expect("request");
    assert_eq!(old.status(), 401);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "lgsp-hub"),
        ("client_secret", "s3cret"),
    ];
    let ok = mock
        .client
        .post(url("land"))
        .form(&form)
        .send()
        .await
        .expect("request");
    assert_eq!(ok.status(), 200, "credentials as form fields");
    let body: Value = ok.json().await.expect("JSON");
    assert_eq!(
        (body["token_type"].as_str(), body["expires_in"].as_u64()),
        (Some("Bearer"), Some(300))
    );
    let bad_grant = [("grant_type", "password")];
    let r = mock
        .client
        .post(url("population"))
        .basic_auth("lgsp-hub", Some("dev-secret-population"))
        .form(&bad_grant)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn mock_population_citizens_follow_the_personal_number_format_and_families_agree() {
    let mock = MockUpstreams::spawn(&[]);
    let samples = mock.samples().await;
    let token = mock.token("population").await;
    for id in samples["citizens"].as_array().expect("an array") {
        let (status, c) = mock
            .get(
                "population",
                &format!("/citizens/{}", id.as_str().expect("a string")),
                Some(&token),
            )
            .await;
        assert_eq!(status, 200);
        assert!(
            is_digits(&c["personalId"], 12) && is_date(&c["birthDate"]),
            "{c}"
        );
        let pid = c["personalId"].as_str().expect("a string");
        let year: u32 = c["birthDate"].as_str().expect("a string")[..4]
            .parse()
            .expect("a number");
        let female = c["sex"] == "female";
        let g = u32::from(pid.as_bytes()[3] - b'0');
        assert_eq!(
            g,
            (year / 100 - 19) * 2 + u32::from(female),
            "century/sex digit of {pid}"
        );
        assert_eq!(
            &pid[4..6],
            &format!("{:02}", year % 100),
            "birth year of {pid}"
        );
        assert!(pid.starts_with('0') && pid != "000000000000");
        assert_eq!(c["nationality"], "Việt Nam");
        let name = c["fullName"].as_str().expect("a string");
        assert!(
            name.split(' ').count() >= 3 && !name.is_ascii(),
            "a Vietnamese name: {name}"
        );
        assert!(is_digits(&c["householdHeadId"], 12) && c["permanentAddress"].is_string());
    }
    // Spouses point at each other; a child's father is a citizen with the same family name.
    let married = first(&samples, "married");
    let (_, husband_or_wife) = mock
        .get("population", &format!("/citizens/{married}"), Some(&token))
        .await;
    let spouse = husband_or_wife["spouseId"].as_str().expect("a string");
    let (_, other) = mock
        .get("population", &format!("/citizens/{spouse}"), Some(&token))
        .await;
    assert_eq!(other["spouseId"].as_str(), Some(married.as_str()));
    assert_ne!(other["sex"], husband_or_wife["sex"]);
    let child = first(&samples, "withParents");
    let (_, c) = mock
        .get("population", &format!("/citizens/{child}"), Some(&token))
        .await;
    let (status, father) = mock
        .get(
            "population",
            &format!("/citizens/{}", c["fatherId"].as_str().expect("a string")),
            Some(&token),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(father["sex"], "male");
    let family = |v: &Value| {
        v["fullName"]
            .as_str()
            .expect("a string")
            .split(' ')
            .next()
            .expect("a value")
            .to_owned()
    };
    assert_eq!(family(&c), family(&father));
}

#[tokio::test]
async fn mock_population_batch_and_verify() {
    let mock = MockUpstreams::spawn(&[]);
    let ids = mock.samples().await["citizens"].clone();
    let token = mock.token("population").await;
    let (a, b) = (
        ids[0].as_str().expect("a string"),
        ids[1].as_str().expect("a string"),
    );
    let (status, body) = mock
        .post(
            "population",
            "/citizens:batch",
            &token,
            &json!({ "ids": [a, "000000000000", b] }),
        )
        .await;
    assert_eq!(status, 200);
    let found: Vec<&str> = body["citizens"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|c| c["personalId"].as_str().expect("a string"))
        .collect();
    assert_eq!(found, [a, b]);
    assert_eq!(body["notFound"], json!(["000000000000"]));
    let too_many: Vec<String> = (0..101).map(|_| a.to_owned()).collect();
    assert_eq!(
        mock.post(
            "population",
            "/citizens:batch",
            &token,
            &json!({ "ids": too_many })
        )
        .await
        .0,
        400
    );
    assert_eq!(
        mock.post(
            "population",
            "/citizens:batch",
            &token,
            &json!({ "ids": ["12"] })
        )
        .await
        .0,
        400
    );

    let (_, citizen) = mock
        .get("population", &format!("/citizens/{a}"), Some(&token))
        .await;
    let name = citizen["fullName"].as_str().expect("a string");
    let verify = |name: String, birth: &str| json!({ "personalId": a, "fullName": name, "birthDate": birth });
    let birth = citizen["birthDate"].as_str().expect("a string");
    let (status, v) = mock
        .post(
            "population",
            "/citizens:verify",
            &token,
            &verify(name.to_uppercase(), birth),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        v,
        json!({ "match": true, "fields": { "fullName": true, "birthDate": true } })
    );
    let (_, v) = mock
        .post(
            "population",
            "/citizens:verify",
            &token,
            &verify(name.to_owned(), "1900-01-01"),
        )
        .await;
    assert_eq!(
        v,
        json!({ "match": false, "fields": { "fullName": true, "birthDate": false } })
    );
    let unknown = json!({ "personalId": "000000000000", "fullName": name, "birthDate": birth });
    assert_eq!(
        mock.post("population", "/citizens:verify", &token, &unknown)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn mock_business_enterprises_and_branches() {
    let mock = MockUpstreams::spawn(&[]);
    let samples = mock.samples().await;
    let token = mock.token("business").await;
    let code = first(&samples, "enterpriseCodes");
    let (status, e) = mock
        .get("business", &format!("/enterprises/{code}"), Some(&token))
        .await;
    assert_eq!(status, 200);
    assert_eq!(e["enterpriseCode"].as_str(), Some(code.as_str()));
    assert!(["ACTIVE", "SUSPENDED", "DISSOLVED"].contains(&e["status"].as_str().expect("a string")));
    assert!(
        e["charterCapitalVnd"].as_i64().expect("a number") > 0
            && is_date(&e["registeredOn"])
            && is_date(&e["lastChangedOn"])
    );
    assert!(
        e["businessLines"][0]["code"].is_string()
            && e["nameEn"].is_string()
            && e["shortName"].is_string()
    );
    // The legal representative is a citizen of the population register.
    let rep = e["legalRepresentative"]["personalId"]
        .as_str()
        .expect("a string");
    let population = mock.token("population").await;
    let (status, c) = mock
        .get("population", &format!("/citizens/{rep}"), Some(&population))
        .await;
    assert_eq!(status, 200);
    assert_eq!(c["fullName"], e["legalRepresentative"]["fullName"]);
    let branch = first(&samples, "enterpriseBranchCodes");
    let (status, b) = mock
        .get("business", &format!("/enterprises/{branch}"), Some(&token))
        .await;
    assert_eq!(
        (status, b["enterpriseCode"].as_str()),
        (200, Some(branch.as_str()))
    );
    // A wrong check digit is malformed.
    let last = code.as_bytes()[9] - b'0';
    let bad = format!("{}{}", &code[..9], (last + 1) % 10);
    assert_eq!(
        mock.get("business", &format!("/enterprises/{bad}"), Some(&token))
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn mock_insurance_by_code_and_by_personal_number() {
    let mock = MockUpstreams::spawn(&[]);
    let samples = mock.samples().await;
    let token = mock.token("insurance").await;
    let code = first(&samples, "socialInsuranceCodes");
    let (status, p) = mock
        .get("insurance", &format!("/participants/{code}"), Some(&token))
        .await;
    assert_eq!(status, 200);
    assert!(is_digits(&p["personalId"], 12) && is_date(&p["healthInsuranceCard"]["validTo"]));
    assert!(p["healthInsuranceCard"]["number"]
        .as_str()
        .expect("a string")
        .ends_with(&code));
    for c in p["contributions"].as_array().expect("an array") {
        assert_eq!(
            c["from"].as_str().expect("a string").len(),
            7,
            "YYYY-MM: {c}"
        );
        assert!(c["salaryBaseVnd"].as_i64().expect("a number") > 0);
    }
    let path = format!(
        "/participants?personalId={}",
        p["personalId"].as_str().expect("a string")
    );
    let (status, same) = mock.get("insurance", &path, Some(&token)).await;
    assert_eq!((status, &same), (200, &p));
    // Every citizen is a participant.
    let citizen = first(&samples, "divorced");
    let (status, q) = mock
        .get(
            "insurance",
            &format!("/participants?personalId={citizen}"),
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, q["personalId"].as_str()),
        (200, Some(citizen.as_str()))
    );
}

#[tokio::test]
async fn mock_land_parcels_by_id_and_owner() {
    let mock = MockUpstreams::spawn(&[]);
    let samples = mock.samples().await;
    let token = mock.token("land").await;
    let id = first(&samples, "parcelIds");
    let (status, parcel) = mock
        .get("land", &format!("/parcels/{id}"), Some(&token))
        .await;
    assert_eq!(status, 200);
    assert!(
        parcel["areaM2"].as_f64().expect("a number") > 0.0
            && parcel["mapSheetNo"].is_u64()
            && parcel["encumbrances"].is_array()
    );
    let owner = parcel["owners"][0]["personalId"]
        .as_str()
        .expect("a string")
        .to_owned();
    let (status, list) = mock
        .get(
            "land",
            &format!("/parcels?ownerPersonalId={owner}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, 200);
    assert!(list["parcels"]
        .as_array()
        .expect("an array")
        .iter()
        .any(|p| p["parcelId"] == id.as_str()));
    let (status, none) = mock
        .get(
            "land",
            "/parcels?ownerPersonalId=000000000000",
            Some(&token),
        )
        .await;
    assert_eq!((status, none), (200, json!({ "parcels": [] })));
}

#[tokio::test]
async fn mock_civil_status_births_and_marriages_agree_with_population() {
    let mock = MockUpstreams::spawn(&[]);
    let samples = mock.samples().await;
    let (token, population) = (
        mock.token("civil-status").await,
        mock.token("population").await,
    );
    let id = first(&samples, "withParents");
    let (status, birth) = mock
        .get("civil-status", &format!("/births/{id}"), Some(&token))
        .await;
    let (_, citizen) = mock
        .get("population", &format!("/citizens/{id}"), Some(&population))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (&birth["fullName"], &birth["birthDate"]),
        (&citizen["fullName"], &citizen["birthDate"])
    );
    let (_, father) = mock
        .get(
            "population",
            &format!(
                "/citizens/{}",
                citizen["fatherId"].as_str().expect("a string")
            ),
            Some(&population),
        )
        .await;
    assert_eq!(birth["fatherName"], father["fullName"]);

    let married = first(&samples, "married");
    let (_, m) = mock
        .get(
            "civil-status",
            &format!("/marriages?personalId={married}"),
            Some(&token),
        )
        .await;
    let record = &m["marriages"][0];
    assert_eq!(record["status"], "MARRIED");
    let (_, c) = mock
        .get(
            "population",
            &format!("/citizens/{married}"),
            Some(&population),
        )
        .await;
    let spouse = c["spouseId"].as_str().expect("a string");
    let ids = [
        &record["husband"]["personalId"],
        &record["wife"]["personalId"],
    ];
    assert!(ids.contains(&&json!(married)) && ids.contains(&&json!(spouse)));
    let (_, from_spouse) = mock
        .get(
            "civil-status",
            &format!("/marriages?personalId={spouse}"),
            Some(&token),
        )
        .await;
    assert_eq!(
        &from_spouse["marriages"][0], record,
        "the same record from either side"
    );
    let divorced = first(&samples, "divorced");
    let (_, d) = mock
        .get(
            "civil-status",
            &format!("/marriages?personalId={divorced}"),
            Some(&token),
        )
        .await;
    assert_eq!(d["marriages"][0]["status"], "DIVORCED");
}

#[tokio::test]
async fn mock_judicial_request_status() {
    let mock = MockUpstreams::spawn(&[]);
    let id = first(&mock.samples().await, "judicialRequestIds");
    let token = mock.token("judicial").await;
    let (status, r) = mock
        .get("judicial", &format!("/requests/{id}"), Some(&token))
        .await;
    assert_eq!(status, 200);
    assert_eq!(r["requestId"].as_str(), Some(id.as_str()));
    assert!([1, 2].contains(&r["certificateType"].as_u64().expect("a number")));
    assert!(["RECEIVED", "PROCESSING", "READY", "REJECTED"]
        .contains(&r["status"].as_str().expect("a string")));
    assert!(
        is_digits(&r["personalId"], 12) && is_date(&r["submittedOn"]) && is_date(&r["expectedOn"])
    );
}

#[tokio::test]
async fn mock_probe_ids_are_not_found_and_malformed_ids_are_refused() {
    let mock = MockUpstreams::spawn(&[]);
    let malformed = [
        ("population", "/citizens/12345"),
        ("business", "/enterprises/01234x5678"),
        ("insurance", "/participants/123"),
        ("land", "/parcels/abc"),
        ("civil-status", "/births/1234567890123"),
        ("judicial", "/requests/12"),
    ];
    for service in SERVICES {
        let token = mock.token(service.name).await;
        let (status, body) = mock.get(service.name, service.probe, Some(&token)).await;
        assert_eq!(
            (status, body),
            (404, json!({ "error": "not_found" })),
            "{} probe",
            service.name
        );
        let path = malformed
            .iter()
            .find(|(s, _)| *s == service.name)
            .expect("a malformed id per service")
            .1;
        let (status, body) = mock.get(service.name, path, Some(&token)).await;
        assert_eq!(status, 400, "{}{path}", service.name);
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn mock_same_seed_same_data_other_seed_other_data() {
    let (a, b, c) = (
        MockUpstreams::spawn(&["--seed", "42"]),
        MockUpstreams::spawn(&["--seed", "42"]),
        MockUpstreams::spawn(&["--seed", "43"]),
    );
    let samples = a.samples().await;
    assert_eq!(samples, b.samples().await);
    assert_ne!(samples["citizens"], c.samples().await["citizens"]);
    let id = first(&samples, "citizens");
    let path = format!("/citizens/{id}");
    let (_, from_a) = a
        .get("population", &path, Some(&a.token("population").await))
        .await;
    let (_, from_b) = b
        .get("population", &path, Some(&b.token("population").await))
        .await;
    assert_eq!(from_a, from_b);
    assert_eq!(from_a["personalId"].as_str(), Some(id.as_str()));
}

#[tokio::test]
async fn mock_knobs_down_error_rate_and_reset() {
    let mock = MockUpstreams::spawn(&["--down", "land"]);
    let token = mock.token("population").await;
    let path = format!("/citizens/{}", first(&mock.samples().await, "citizens"));
    let knobs = mock
        .admin_put_knobs("population", json!({ "down": true }))
        .await;
    assert_eq!(knobs["down"], true);
    assert_eq!(mock.get("population", &path, Some(&token)).await.0, 503);
    let r = mock
        .client
        .post(format!("{}/population/oauth/token", mock.url()))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 503, "the token endpoint is down too");
    mock.admin_reset().await;
    assert_eq!(mock.get("population", &path, Some(&token)).await.0, 200);
    // Reset restores the start-up knobs: land was started down.
    assert_eq!(mock.get("land", "/parcels/000000000000", None).await.0, 503);

    let knobs = mock
        .admin_put_knobs("population", json!({ "errorRate": 1.0 }))
        .await;
    assert_eq!(
        (knobs["errorRate"].as_f64(), knobs["down"].as_bool()),
        (Some(1.0), Some(false)),
        "partial update"
    );
    let (status, body) = mock.get("population", &path, Some(&token)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (500, Some("internal_error"))
    );
    let invalid = mock
        .client
        .put(format!("{}/admin/knobs/population", mock.url()))
        .header("x-admin-key", ADMIN_KEY)
        .json(&json!({ "errorRate": 2 }))
        .send()
        .await
        .expect("request");
    assert_eq!(invalid.status(), 400);
}

#[tokio::test]
async fn mock_short_token_ttl_makes_tokens_expire() {
    let mock = MockUpstreams::spawn(&[]);
    mock.admin_put_knobs("judicial", json!({ "tokenTtlSecs": 1 }))
        .await;
    let issued = std::time::Instant::now();
    let token = mock.token("judicial").await;
    assert_eq!(
        mock.get("judicial", "/requests/000000000000", Some(&token))
            .await
            .0,
        404
    );
    // The token lives one second: poll until the mock refuses it, which it must by 2.1 s after it was asked for.
    let (status, body) = loop {
        let sent = std::time::Instant::now();
        let (status, body) = mock
            .get("judicial", "/requests/000000000000", Some(&token))
            .await;
        if status != 404 {
            break (status, body);
        }
        assert!(
            sent < issued + std::time::Duration::from_millis(2100),
            "the token still works 2.1 s after it was issued"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_token"))
    );
    let fresh = mock.token("judicial").await;
    assert_eq!(
        mock.get("judicial", "/requests/000000000000", Some(&fresh))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn mock_admin_needs_the_key() {
    let mock = MockUpstreams::spawn(&["--admin-key", "other-key"]);
    for path in ["/admin/samples", "/admin/calls", "/admin/knobs/population"] {
        let missing = mock
            .client
            .get(format!("{}{path}", mock.url()))
            .send()
            .await
            .expect("request");
        assert_eq!(missing.status(), 401, "{path}");
        let wrong = mock
            .client
            .get(format!("{}{path}", mock.url()))
            .header("x-admin-key", ADMIN_KEY)
            .send()
            .await
            .expect("request");
        assert_eq!(wrong.status(), 401, "{path}");
    }
    let right = mock
        .client
        .get(format!("{}/admin/knobs/population", mock.url()))
        .header("x-admin-key", "other-key")
        .send()
        .await
        .expect("request");
    assert_eq!(right.status(), 200);
}

#[tokio::test]
async fn mock_records_the_callers_identity() {
    let mock = MockUpstreams::spawn(&[]);
    let token = mock.token("population").await;
    let r = mock
        .client
        .get(format!("{}/population/citizens/000000000000", mock.url()))
        .bearer_auth(&token)
        .header("x-client-agency", "000.00.00.H42")
        .header("x-client-subject", "officer-7")
        .header("x-purpose", "PUBLIC_SERVICE:1.000234")
        .header("x-request-id", "req-123")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 404);
    let calls = mock.calls().await;
    let call = calls.last().expect("a recorded call");
    assert_eq!(
        (
            &call["service"],
            &call["method"],
            &call["path"],
            &call["status"]
        ),
        (
            &json!("population"),
            &json!("GET"),
            &json!("/citizens/000000000000"),
            &json!(404)
        )
    );
    assert_eq!(
        (
            &call["clientAgency"],
            &call["clientSubject"],
            &call["purpose"],
            &call["requestId"]
        ),
        (
            &json!("000.00.00.H42"),
            &json!("officer-7"),
            &json!("PUBLIC_SERVICE:1.000234"),
            &json!("req-123")
        )
    );
    let cleared = mock
        .client
        .delete(format!("{}/admin/calls", mock.url()))
        .header("x-admin-key", ADMIN_KEY)
        .send()
        .await
        .expect("request");
    assert_eq!(cleared.status(), 204);
    assert!(mock.calls().await.is_empty());
}

#[tokio::test]
async fn mock_serves_an_openapi_document_per_service() {
    let mock = MockUpstreams::spawn(&[]);
    let expected = [
        ("population", "/citizens/{personalId}"),
        ("business", "/enterprises/{code}"),
        ("insurance", "/participants/{socialInsuranceCode}"),
        ("land", "/parcels/{parcelId}"),
        ("civil-status", "/births/{personalId}"),
        ("judicial", "/requests/{requestId}"),
    ];
    for (svc, path) in expected {
        let (status, doc) = mock.get(svc, "/openapi.json", None).await;
        assert_eq!(status, 200, "{svc}");
        assert!(doc["openapi"]
            .as_str()
            .expect("a string")
            .starts_with("3.0"));
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{svc} documents {path}"
        );
        assert!(doc["paths"]["/oauth/token"]["post"].is_object());
        let flow = &doc["components"]["securitySchemes"]["clientCredentials"]["flows"]
            ["clientCredentials"];
        assert_eq!(flow["tokenUrl"], format!("/{svc}/oauth/token"));
    }
    let (_, population) = mock.get("population", "/openapi.json", None).await;
    assert!(
        population["paths"]["/citizens:batch"]["post"].is_object()
            && population["paths"]["/citizens:verify"]["post"].is_object()
    );
    assert!(population["components"]["schemas"]["Citizen"]["properties"]["spouseId"].is_object());
}
