//! Layering, validation and redaction of the configuration.
use super::*;

#[test]
fn flags_override_file_and_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hub.toml");
    std::fs::write(&path, "listen = \"127.0.0.1:9000\"\nmax_page_size = 50\n").expect("write");
    let config = Config::load(Overrides {
        config_file: Some(path),
        settings: Settings {
            max_page_size: Some(20),
            ..Default::default()
        },
    })
    .expect("valid");
    assert_eq!(config.listen.port(), 9000);
    assert_eq!(config.max_page_size, 20);
    assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
}

#[test]
fn unknown_keys_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hub.toml");
    std::fs::write(&path, "listne = \"127.0.0.1:9000\"\n").expect("write");
    let err = Config::load(Overrides {
        config_file: Some(path),
        ..Default::default()
    })
    .expect_err("unknown key");
    assert!(err.to_string().contains("listne"), "{err}");
}

#[test]
fn bad_listen_is_an_error() {
    let err = Config::load(Overrides {
        config_file: None,
        settings: Settings {
            listen: Some("nowhere".into()),
            ..Default::default()
        },
    })
    .expect_err("invalid");
    assert!(matches!(err, ConfigError::Invalid { key: "listen", .. }));
}

#[test]
fn production_names_every_upstream_secret() {
    let settings = |production: bool| Settings {
        upstreams_url: Some("http://127.0.0.1:9100".into()),
        production: Some(production),
        ..Default::default()
    };
    let dev = Config::load(Overrides {
        config_file: None,
        settings: settings(false),
    })
    .expect("development accepts the mocks' secrets");
    assert_eq!(dev.upstreams.len(), 6);
    assert_eq!(
        dev.upstreams[0].client_secret.expose_secret(),
        "dev-secret-population"
    );
    assert!(
        !dev.mock_upstreams,
        "configured upstreams: no built-in mocks"
    );
    let err = Config::load(Overrides {
        config_file: None,
        settings: settings(true),
    })
    .expect_err("production without secrets");
    assert!(err.to_string().contains("client_secret"), "{err}");
}

#[test]
fn upstream_tables_must_name_known_services_and_urls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hub.toml");
    for (text, expected) in [
        (
            "[upstream.weather]\nbase_url = \"http://x\"\n",
            "unknown upstream",
        ),
        ("[upstream.population]\nbase_url = \"ftp://x\"\n", "http(s)"),
        (
            "[upstream.population]\nbase_urll = \"http://x\"\n",
            "base_urll",
        ),
    ] {
        std::fs::write(&path, text).expect("write");
        let err = Config::load(Overrides {
            config_file: Some(path.clone()),
            ..Default::default()
        })
        .expect_err(text);
        assert!(err.to_string().contains(expected), "{text}: {err}");
    }
}

#[test]
fn debug_shows_no_secret() {
    let (jwt, access_log, cursor, client) = (
        "jwt-secret-that-must-never-be-printed-0001",
        "access-log-key-that-must-never-be-printed-2",
        "cursor-key-that-must-never-be-printed-00003",
        "client-secret-that-must-never-be-printed-4",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hub.toml");
    std::fs::write(
        &path,
        format!(
            "access_log_key = \"{access_log}\"\n[upstream.population]\nbase_url = \"http://127.0.0.1:9/population\"\nclient_secret = \"{client}\"\n"
        ),
    )
    .expect("write");
    let config = Config::load(Overrides {
        config_file: Some(path),
        settings: Settings {
            jwt_secret: Some(jwt.into()),
            cursor_key: Some(cursor.into()),
            ..Default::default()
        },
    })
    .expect("valid");
    assert_eq!(config.upstreams[0].client_secret.expose_secret(), client);
    let shown = format!("{config:?} {config:#?}");
    for secret in [jwt, access_log, cursor, client] {
        assert!(!shown.contains(secret), "`{secret}` shows in {shown}");
    }
    assert!(
        shown.contains("access_log_key") && shown.contains("client_secret"),
        "the fields are there, redacted: {shown}"
    );
}

#[test]
fn passwords_are_redacted() {
    assert_eq!(
        redact_url("postgres://hub:secret@db/hub"),
        "postgres://hub:***@db/hub"
    );
    assert_eq!(
        redact_url("sqlite://data/x.sqlite"),
        "sqlite://data/x.sqlite"
    );
}

#[test]
fn the_log_format_layers_like_any_setting() {
    use crate::telemetry::logs::LogFormat;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hub.toml");
    std::fs::write(&path, "log_format = \"json\"\n").expect("write");
    let load = |settings: Settings| {
        Config::load(Overrides {
            config_file: Some(path.clone()),
            settings,
        })
    };
    assert_eq!(
        load(Settings::default()).expect("valid").log_format,
        LogFormat::Json,
        "from the file"
    );
    let flag = Settings {
        log_format: Some(LogFormat::Text),
        ..Default::default()
    };
    assert_eq!(load(flag).expect("valid").log_format, LogFormat::Text);
    assert_eq!(
        Config::load(Overrides::default())
            .expect("defaults")
            .log_format,
        LogFormat::Text
    );
    std::fs::write(&path, "log_format = \"xml\"\n").expect("write");
    assert!(load(Settings::default()).is_err(), "an unknown format");
}

/// The annotated production configuration of the README (docker/lgsp-hub.example.toml) parses and validates, and
/// names every setting there is: a new setting without its line there fails here.
#[test]
fn the_example_production_configuration_is_valid_and_complete() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docker/lgsp-hub.example.toml");
    let config = Config::load(Overrides {
        config_file: Some(path.clone()),
        ..Default::default()
    })
    .expect("the example configuration is valid");
    assert!(config.keys.production);
    assert_eq!(config.log_format, crate::telemetry::logs::LogFormat::Json);
    assert_eq!(
        config.otlp_endpoint.as_deref(),
        Some("http://otel-collector:4318")
    );
    assert!(!config.mock_upstreams);
    assert_eq!(
        config
            .upstreams
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>(),
        ["population", "business", "insurance"]
    );
    let text = std::fs::read_to_string(&path).expect("read");
    let command = <Settings as clap::Args>::augment_args(clap::Command::new("lgsp-hub"));
    let keys: Vec<String> = command
        .get_arguments()
        .map(|a| a.get_id().as_str().to_owned())
        .chain(["upstream".to_owned()])
        .collect();
    assert!(keys.len() > 50, "{keys:?}");
    for key in keys {
        let named = text.lines().any(|line| {
            let line = line.trim_start_matches('#').trim_start();
            line.starts_with(&format!("{key} =")) || line.starts_with(&format!("[{key}."))
        });
        assert!(named, "the example configuration does not name `{key}`");
    }
}

/// An empty `otlp_endpoint` (a compose file's unset variable) means no traces; anything else must be an http(s) URL.
#[test]
fn an_empty_otlp_endpoint_is_none_and_a_bad_one_is_an_error() {
    let with = |endpoint: &str| {
        Config::load(Overrides {
            settings: Settings {
                otlp_endpoint: Some(endpoint.to_owned()),
                ..Default::default()
            },
            ..Default::default()
        })
    };
    assert_eq!(with("").expect("valid").otlp_endpoint, None);
    assert_eq!(
        with("http://127.0.0.1:4318")
            .expect("valid")
            .otlp_endpoint
            .as_deref(),
        Some("http://127.0.0.1:4318")
    );
    let err = with("collector:4318").expect_err("not a URL");
    assert!(err.to_string().contains("otlp_endpoint"), "{err}");
}
