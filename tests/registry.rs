//! The platform registry is compile-time (a platform is a `PlatformId` variant), so this is the
//! checklist the issue asks for: it fails when a platform is missing from any table that the
//! commands iterate (facts, adapters, settings, config file sections, webhooks, the publishers
//! `upload` names, the words of a platform without an API), or sits there out of order.

use socialcrm::config::{self, Overrides};
use socialcrm::platforms::registry::{ADAPTERS, adapter};
use socialcrm::vocab::PlatformId;
use socialcrm::vocab::platform::FACTS;

#[test]
fn every_platform_has_facts_and_an_adapter_in_order() {
    assert_eq!(FACTS.len(), PlatformId::ALL.len());
    assert_eq!(ADAPTERS.len(), PlatformId::ALL.len());
    for (i, id) in PlatformId::ALL.into_iter().enumerate() {
        assert_eq!(FACTS[i].id, id, "FACTS[{i}]");
        assert_eq!(ADAPTERS[i].id, id, "ADAPTERS[{i}]");
        assert_eq!(adapter(id).id, id);
        assert_eq!(id.name().parse::<PlatformId>().unwrap(), id);
        for alias in FACTS[i].aliases {
            assert_eq!(alias.parse::<PlatformId>().unwrap(), id, "alias {alias}");
        }
    }
}

/// A pinned environment without any platform setting, plus `extra`.
fn env_with(extra: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let extra: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name: &str| match name {
        "HOME" => Some("/nonexistent-home".to_string()),
        "XDG_CONFIG_HOME" => Some("/nonexistent-home/.config".to_string()),
        "XDG_DATA_HOME" => Some("/nonexistent-home/.local/share".to_string()),
        _ => extra
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone()),
    }
}

#[test]
fn every_platform_with_an_api_connects_syncs_and_takes_settings() {
    let env = env_with(&[]);
    let config = config::load(&Overrides::default(), &env).unwrap();
    for id in PlatformId::ALL {
        let has_api = id.env_prefix().is_some();
        let entry = adapter(id);
        assert_eq!(entry.oauth.is_some(), has_api, "{id}: OAuth adapter");
        assert_eq!(
            config.platforms.contains_key(&id),
            has_api,
            "{id}: settings in Config"
        );
        let streams = socialcrm::platforms::streams(id, &config);
        assert_eq!(!streams.is_empty(), has_api, "{id}: sync streams");
        if has_api {
            // Without credentials, connect names what is missing instead of panicking.
            let err = socialcrm::platforms::oauth(id, &config, false)
                .err()
                .expect("no credentials set");
            assert!(err.to_string().contains(id.name()), "{err}");
        }
    }
}

#[test]
fn every_platform_without_an_api_says_so_in_each_command() {
    for id in PlatformId::ALL {
        let entry = adapter(id);
        assert_eq!(entry.imported.is_some(), !entry.has_api(), "{id}: imported");
        if let Some(imported) = &entry.imported {
            for text in [
                imported.connect_guide,
                imported.sync_refusal,
                imported.doctor,
            ] {
                assert!(text.contains("import-csv"), "{id}: {text}");
            }
        }
    }
}

#[test]
fn every_platform_with_settings_reads_its_config_file_section() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut text = String::new();
    let mut expected = Vec::new();
    for id in PlatformId::ALL
        .into_iter()
        .filter(|id| id.env_prefix().is_some())
    {
        let empty = socialcrm::config::PlatformConfig::default();
        let first = config::credentials(id, &empty)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{id}: no credentials"));
        text.push_str(&format!(
            "[{}]\n{} = \"from-the-file\"\n",
            id.name(),
            first.key
        ));
        expected.push((id, first.var));
    }
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let overrides = Overrides {
        config: Some(path),
        ..Overrides::default()
    };
    let config = config::load(&overrides, &env_with(&[])).unwrap();
    for (id, var) in expected {
        let from = config::credentials(id, &config.platform(id))
            .into_iter()
            .find(|c| c.var == var)
            .and_then(|c| c.from);
        assert!(
            from.as_deref().is_some_and(|at| at.contains("config.toml")),
            "{id}: {var} from {from:?}"
        );
    }
}

#[test]
fn every_webhook_is_served_at_its_own_path_once_its_secret_is_set() {
    let without = config::load(&Overrides::default(), &env_with(&[])).unwrap();
    let mut paths = Vec::new();
    for entry in &ADAPTERS {
        let Some(webhook) = &entry.webhook else {
            continue;
        };
        let id = entry.id;
        assert!(entry.has_api(), "{id}: webhooks without an API");
        assert!(
            (webhook.endpoint)(&without.platform(id), 10).is_none(),
            "{id}: served without its secret"
        );
        assert!(webhook.signed_with.contains(": the "), "{id}");
        assert!(
            webhook.key.starts_with(&format!("[{}] ", id.name())),
            "{id}: {}",
            webhook.key
        );
        let with = config::load(
            &Overrides::default(),
            &env_with(&[(webhook.env, "a-signing-secret")]),
        )
        .unwrap();
        let endpoint = (webhook.endpoint)(&with.platform(id), 10)
            .unwrap_or_else(|| panic!("{id}: not served with {} set", webhook.env));
        assert_eq!(endpoint.route.path, format!("/webhooks/{}", id.name()));
        assert!(endpoint.route.methods.contains(&"POST"), "{id}");
        paths.push(endpoint.route.path);
    }
    assert!(paths.len() >= 3, "{paths:?}");
}

#[test]
fn every_stream_an_adapter_runs_is_named_in_the_sync_help() {
    // Every optional stream switched on: insights (the default) and Reddit's mentions.
    let config = config::load(
        &Overrides::default(),
        &env_with(&[("REDDIT_SUBREDDITS", "creators")]),
    )
    .unwrap();
    for id in PlatformId::ALL {
        let named: Vec<&str> = id
            .facts()
            .streams
            .split([',', ' '])
            .filter(|w| !w.is_empty())
            .collect();
        let streams = socialcrm::platforms::streams(id, &config);
        assert_eq!(named.is_empty(), streams.is_empty(), "{id}");
        for stream in streams {
            assert!(
                named.contains(&stream.name()),
                "{id}: stream {} is not in FACTS' streams",
                stream.name()
            );
        }
    }
    let help = long_help("sync");
    let connect = long_help("connect");
    for facts in FACTS {
        if !facts.streams.is_empty() {
            let listed = format!("{}: {}", facts.display, facts.streams);
            assert!(help.contains(&listed), "sync --help lacks {listed}: {help}");
        }
        assert!(
            connect.contains(facts.name),
            "connect --help lacks {}",
            facts.name
        );
    }
}

/// A subcommand's `--help`, its whitespace runs folded into one space (clap wraps the text).
fn long_help(name: &str) -> String {
    let mut command = socialcrm::cli::command();
    let text = command
        .find_subcommand_mut(name)
        .unwrap()
        .render_long_help()
        .to_string();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_platform_upload_names_has_a_publisher_and_every_publisher_is_named() {
    use socialcrm::upload::Request;

    let config = config::load(&Overrides::default(), &env_with(&[])).unwrap();
    let named: Vec<PlatformId> = FACTS
        .iter()
        .filter(|f| f.upload.is_some())
        .map(|f| f.id)
        .collect();
    // `upload --help` lists exactly those, and each takes a file.
    let help = long_help("upload");
    for facts in FACTS {
        if let Some(what) = facts.upload {
            assert!(help.contains(what), "upload --help lacks {what}: {help}");
        }
        let parsed = socialcrm::cli::command().try_get_matches_from([
            "socialcrm",
            "upload",
            facts.name,
            "clip.mp4",
        ]);
        assert_eq!(
            parsed.is_ok(),
            facts.upload.is_some(),
            "upload {}: {:?}",
            facts.name,
            parsed.err()
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clip.mp4");
    std::fs::write(&file, vec![7u8; 4096]).unwrap();
    // What `upload <platform> clip.mp4 --caption hi` asks, with no platform's own options.
    let request = Request {
        file: file.clone(),
        account: "default".into(),
        caption: Some("hi".into()),
        audience: None,
        draft: false,
        no_wait: false,
        force: false,
        chunk_size: 64_000_000,
        wait: std::time::Duration::from_secs(600),
        progress: false,
    };
    let mut publishing = Vec::new();
    for id in PlatformId::ALL {
        let publisher = socialcrm::platforms::publisher(id, &config);
        assert_eq!(
            publisher.is_some(),
            named.contains(&id),
            "{id}: `upload {id}` and the registry's publisher go together"
        );
        let Some(publisher) = publisher else {
            continue;
        };
        assert!(adapter(id).has_api(), "{id}: uploads without an API");
        assert_eq!(publisher.id(), id, "{id}: the publisher's platform");
        assert!(!publisher.handle().is_empty(), "{id}: the publish's handle");
        assert!(
            publisher.refuse(&request).is_none(),
            "{id}: refuses a plain upload"
        );
        let plan = publisher
            .plan(&file, 4096, &request)
            .unwrap_or_else(|why| panic!("{id}: cannot plan an mp4 file: {why}"));
        assert_eq!((plan.size, plan.count), (4096, 1), "{id}: {plan:?}");
        publishing.push(id);
    }
    assert_eq!(publishing.len(), named.len(), "{publishing:?}");
}
